using System.Text;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Engine;

/// <summary>
/// One sequence on the engine thread: its tokens, its random stream, its text so far, and the stop rules
/// (stop ids, stop strings, max tokens, slot length) applied to every token it draws.
/// </summary>
internal sealed class SequenceState
{
    private readonly List<int> _tokens;
    private readonly IncrementalDetokenizer? _detokenizer;
    private readonly StringBuilder? _text;
    private readonly HashSet<int> _stopIds;
    private readonly int _maxSequenceLength;
    private readonly List<float[]>? _logits;
    private readonly List<TokenLogprob>? _logprobs;
    private int _streamedText;

    public SequenceState(long id, RequestState request, int index, HashSet<int> stopIds, int maxSequenceLength, TokenTextDecoder? decoder)
    {
        Id = id;
        Request = request;
        Index = index;
        _tokens = [.. request.Request.PromptTokenIds];
        _stopIds = stopIds;
        _maxSequenceLength = maxSequenceLength;
        var sampling = request.Request.Sampling;
        // Sample i of a seeded request uses seed + i (as vLLM's parallel sampling does); unseeded ones draw a seed.
        Random = new Random(unchecked((int)((sampling.Seed ?? Random.Shared.NextInt64()) + index)));
        if (decoder is not null)
        {
            _detokenizer = new IncrementalDetokenizer(decoder);
            _text = new StringBuilder();
        }

        _logits = request.Request.CaptureLogits ? [] : null;
        _logprobs = sampling.Logprobs is null ? null : [];
    }

    public long Id { get; }

    public RequestState Request { get; }

    public int Index { get; }

    public Random Random { get; }

    public SamplingParams Sampling => Request.Request.Sampling;

    public IReadOnlyList<int> Tokens => _tokens;

    public int PromptLength => Request.Request.PromptTokenIds.Count;

    public int GeneratedCount => _tokens.Count - PromptLength;

    public SequenceOutput? Output { get; private set; }

    public bool Finished => Output is not null;

    /// <summary>Appends a drawn token, applies the stop rules, and returns what a stream should see.</summary>
    public GenerationUpdate Append(int tokenId, float[]? logits, TokenLogprob? logprob)
    {
        _tokens.Add(tokenId);
        _logits?.Add(logits ?? []);
        if (_logprobs is not null)
        {
            _logprobs.Add(logprob ?? throw new InvalidOperationException($"sequence {Id} asked for logprobs but its token {tokenId} came without one"));
        }
        FinishReason? finish = null;
        int? stopToken = null;
        string? stopString = null;
        var matchAt = -1;
        if (_detokenizer is not null)
        {
            var before = _text!.Length;
            _text.Append(_detokenizer.Append(tokenId));
            (matchAt, stopString) = FindStopString(before);
        }

        if (_stopIds.Contains(tokenId))
        {
            (finish, stopToken, stopString) = (FinishReason.Stop, tokenId, null);
        }
        else if (stopString is not null)
        {
            finish = FinishReason.Stop;
        }
        else if (GeneratedCount >= Sampling.MaxTokens || _tokens.Count >= _maxSequenceLength)
        {
            finish = FinishReason.Length;
        }

        var finalText = finish is null || _detokenizer is null ? null : matchAt >= 0 ? _text!.ToString(0, matchAt) : _detokenizer.Complete();
        string? text = null;
        if (finalText is not null && finalText.Length >= _streamedText)
        {
            // The last update sends the rest of the final text, an unfinished character held back so far included, so
            // that a stream's updates always add up to the whole response's text.
            text = finalText[_streamedText..];
            _streamedText = finalText.Length;
        }
        else if (_text is not null)
        {
            // While running, hold back a tail that could still grow into a stop string.
            var visible = finish is null ? Math.Max(_streamedText, _text.Length - LongestStop + 1) : (matchAt >= 0 ? matchAt : _text.Length);
            text = _text.ToString(_streamedText, Math.Max(0, visible - _streamedText));
            _streamedText = Math.Max(_streamedText, visible);
        }

        if (finish is { } reason)
        {
            Output = new SequenceOutput(Index, _tokens.GetRange(PromptLength, GeneratedCount), finalText, reason, stopToken, stopString, _logits, _logprobs);
        }

        return new GenerationUpdate(Index, [tokenId], text, finish, logprob is null || _logprobs is null ? null : [logprob])
        {
            PromptLogprobs = GeneratedCount == 1 ? Request.PromptLogprobs : null,
        };
    }

    private int LongestStop => Sampling.Stop.Count == 0 ? 1 : Sampling.Stop.Max(s => s.Length);

    /// <summary>The earliest stop string that the text added after <paramref name="before"/> completed.</summary>
    private (int At, string? Stop) FindStopString(int before)
    {
        if (Sampling.Stop.Count == 0 || _text!.Length == before)
        {
            return (-1, null);
        }

        var from = Math.Max(0, before - LongestStop + 1);
        var tail = _text.ToString(from, _text.Length - from);
        var best = (At: -1, Stop: (string?)null);
        foreach (var stop in Sampling.Stop)
        {
            var at = tail.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (best.At < 0 || from + at < best.At))
            {
                best = (from + at, stop);
            }
        }

        return best;
    }
}
