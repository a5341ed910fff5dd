using System.Threading.Channels;

namespace VerlOrleans.Inference.Engine;

/// <summary>A submitted request: its final result, and its live updates when it was submitted for streaming.</summary>
public sealed class GenerationHandle
{
    private readonly ChannelReader<GenerationUpdate>? _updates;

    internal GenerationHandle(long requestId, Task<GenerationResult> completion, ChannelReader<GenerationUpdate>? updates)
    {
        RequestId = requestId;
        Completion = completion;
        _updates = updates;
    }

    public long RequestId { get; }

    /// <summary>Completes with every sequence; cancelled when the request's token fires; faulted on bad input or a model error.</summary>
    public Task<GenerationResult> Completion { get; }

    /// <summary>Per-step updates of all sequences; ends when the request does (throws if it was cancelled or failed).</summary>
    public IAsyncEnumerable<GenerationUpdate> Updates(CancellationToken cancellationToken = default) =>
        _updates?.ReadAllAsync(cancellationToken) ?? throw new InvalidOperationException("this request was not submitted for streaming");
}
