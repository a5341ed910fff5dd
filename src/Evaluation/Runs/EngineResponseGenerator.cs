using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Evaluation.Runs;

/// <summary>
/// <see cref="IResponseGenerator"/> over an in-process <see cref="InferenceEngine"/>. Responses are decoded with the
/// tokenizer's decode, special tokens skipped, as verl decodes validation responses. Created with
/// <see cref="Start"/> it owns its engine and stops it on dispose; over an existing engine it does not.
/// </summary>
public sealed class EngineResponseGenerator : IResponseGenerator, IAsyncDisposable
{
    private readonly InferenceEngine _engine;
    private readonly TokenTextDecoder _decoder;
    private readonly bool _ownsEngine;

    /// <param name="engine">An engine, ideally started with <see cref="DecoderFor"/> as its decoder (stop strings need it).</param>
    /// <param name="decoder">Decodes responses the engine returns without text.</param>
    /// <param name="callerId">Who asks (the scheduler shares slots fairly between callers).</param>
    public EngineResponseGenerator(InferenceEngine engine, TokenTextDecoder decoder, string callerId = "")
        : this(engine, decoder, callerId, ownsEngine: false)
    {
    }

    private EngineResponseGenerator(InferenceEngine engine, TokenTextDecoder decoder, string callerId, bool ownsEngine)
    {
        _engine = engine;
        _decoder = decoder;
        CallerId = callerId;
        _ownsEngine = ownsEngine;
    }

    public string CallerId { get; }

    public InferenceEngine Engine => _engine;

    /// <summary>The tokenizer's decode with special tokens skipped: the text verl scores.</summary>
    public static TokenTextDecoder DecoderFor(HfTokenizer tokenizer) => ids => tokenizer.Decode(ids, skipSpecialTokens: true);

    /// <summary>Starts an engine over <paramref name="modelFolder"/> that decodes with <paramref name="tokenizer"/>; disposing the generator stops it.</summary>
    public static EngineResponseGenerator Start(string modelFolder, HfTokenizer tokenizer, TorchRunnerOptions runnerOptions, EngineOptions? engineOptions = null, string callerId = "")
    {
        var decoder = DecoderFor(tokenizer);
        var engine = InferenceEngine.Start(modelFolder, runnerOptions, (engineOptions ?? new EngineOptions()) with { Decoder = decoder });
        return new EngineResponseGenerator(engine, decoder, callerId, ownsEngine: true);
    }

    public async Task<IReadOnlyList<GeneratedResponse>> GenerateAsync(IReadOnlyList<int> promptTokenIds, SamplingParams sampling, CancellationToken cancellationToken)
    {
        var result = await _engine.GenerateAsync(new GenerationRequest(promptTokenIds, sampling) { CallerId = CallerId }, cancellationToken).ConfigureAwait(false);
        return result.Sequences
            .Select(s => new GeneratedResponse(s.Index, s.TokenIds, s.Text ?? _decoder(s.TokenIds), s.FinishReason.ToWireName()))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsEngine)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
        }
    }
}
