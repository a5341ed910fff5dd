using VerlOrleans.Evaluation.Runs;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Runs;

/// <summary>One real inference engine over the tiny chat model, shared by a test class (loading it once).</summary>
public sealed class TinyChatEngine : IAsyncLifetime
{
    public HfTokenizer Tokenizer { get; } = HfTokenizer.FromDirectory(TinyChatModel.Folder);

    public ChatTemplate Template { get; } = ChatTemplate.FromDirectory(TinyChatModel.Folder);

    public EngineResponseGenerator Generator { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Generator = EngineResponseGenerator.Start(TinyChatModel.Folder, Tokenizer, new TorchRunnerOptions { MaxBatchSize = 8, MaxSequenceLength = 256 });
        await Generator.Engine.Ready;
    }

    public async Task DisposeAsync() => await Generator.DisposeAsync();
}

/// <summary>Passes calls to a real generator, counting them and failing the one asked to fail (error-path tests).</summary>
internal sealed class RecordingGenerator(IResponseGenerator inner, int failOnCall = -1) : IResponseGenerator
{
    private int _calls;

    public int Calls => _calls;

    public List<(int N, long? Seed)> Requests { get; } = [];

    public Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        lock (Requests)
        {
            Requests.Add((sampling.N, sampling.Seed));
        }

        return call == failOnCall
            ? Task.FromException<IReadOnlyList<GeneratedResponse>>(new InvalidOperationException("the model server went away"))
            : inner.GenerateAsync(promptTokenIds, sampling, cancellationToken);
    }
}
