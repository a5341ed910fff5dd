using System.Threading.Channels;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>A request inside the engine: its sequences, its completion source, its stream and its cancellation hook.</summary>
internal sealed class RequestState(long id, GenerationRequest request, Channel<GenerationUpdate>? updates, CancellationToken cancellationToken)
{
    public long Id { get; } = id;

    public GenerationRequest Request { get; } = request;

    public Channel<GenerationUpdate>? Updates { get; } = updates;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public TaskCompletionSource<GenerationResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public List<SequenceState> Sequences { get; } = [];

    /// <summary>The prompt tokens' log-probabilities by position, filled as its chunks run; null when not asked for.</summary>
    public TokenLogprob?[]? PromptLogprobs { get; } = request.Sampling.PromptLogprobs is null ? null : new TokenLogprob?[request.PromptTokenIds.Count];

    public CancellationTokenRegistration Registration { get; set; }

    /// <summary>Done one way or another; later commands for it are ignored.</summary>
    public bool Closed { get; private set; }

    public void Succeed()
    {
        Close();
        Completion.TrySetResult(new GenerationResult(Id, Request.PromptTokenIds.Count, Sequences.Select(s => s.Output!).ToList(), PromptLogprobs));
        Updates?.Writer.TryComplete();
    }

    public void Cancel()
    {
        Close();
        Completion.TrySetCanceled(CancellationToken);
        Updates?.Writer.TryComplete(new OperationCanceledException(CancellationToken));
    }

    public void Fail(Exception error)
    {
        Close();
        Completion.TrySetException(error);
        Updates?.Writer.TryComplete(error);
    }

    private void Close()
    {
        Closed = true;
        Registration.Dispose();
    }
}
