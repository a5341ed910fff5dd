using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Inference.Tests.Engine;

/// <summary>
/// The engine's bookkeeping of log-probabilities over a fake runner whose value names the position and token: every
/// prompt position after the first is scored once, in place, however the prompt is chunked; n samples share the prompt's
/// scores; each drawn token carries its own; a request that asks for none never makes the runner score anything.
/// </summary>
public sealed class EngineLogprobsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(100)]  // the whole prompt in one chunk
    [InlineData(4)]    // chunked prefill: positions scored across steps
    [InlineData(2)]    // two prompt tokens per step
    public async Task Prompt_positions_are_scored_once_each_however_the_prompt_is_chunked(int maxTokensPerStep)
    {
        var runner = new FakeModelRunner(slots: 4, vocab: 50);
        await using var engine = InferenceEngine.Start(() => runner, new EngineOptions { MaxBatchSize = Math.Min(4, maxTokensPerStep), MaxTokensPerStep = maxTokensPerStep });
        int[] prompt = [3, 9, 4, 11, 7, 20, 1, 5, 8, 2, 6];

        var result = await engine.GenerateAsync(new GenerationRequest(prompt, new SamplingParams { Temperature = 0, MaxTokens = 3, N = 2, PromptLogprobs = 2, Logprobs = 1 }))
            .WaitAsync(Timeout);

        var scores = result.PromptLogprobs!;
        Assert.Equal(prompt.Length, scores.Count);
        Assert.Null(scores[0]);
        for (var p = 1; p < prompt.Length; p++)
        {
            Assert.Equal(prompt[p], scores[p]!.TokenId);
            Assert.Equal(FakeModelRunner.FakeLogprob(p, prompt[p]), scores[p]!.Logprob);
        }

        var scoredPositions = runner.Steps.SelectMany(s => s).Where(c => c.Scoring is not null).Sum(c => c.Scoring!.NextTokenIds.Count);
        Assert.Equal(prompt.Length - 1, scoredPositions);
        Assert.Equal(2, result.Sequences.Count);
        foreach (var sequence in result.Sequences)
        {
            Assert.Equal(sequence.TokenIds, sequence.Logprobs!.Select(l => l.TokenId));
            // Token k is drawn at position prompt.Length + k.
            Assert.Equal(sequence.TokenIds.Select((t, k) => FakeModelRunner.FakeLogprob(prompt.Length + k, t)), sequence.Logprobs!.Select(l => l.Logprob));
        }
    }

    [Fact]
    public async Task A_request_without_logprobs_scores_nothing_and_carries_none()
    {
        var runner = new FakeModelRunner(slots: 2);
        await using var engine = InferenceEngine.Start(() => runner, new EngineOptions { MaxTokensPerStep = 3 });

        var result = await engine.GenerateAsync(new GenerationRequest([1, 2, 3, 4, 5, 6, 7], new SamplingParams { Temperature = 0, MaxTokens = 4 })).WaitAsync(Timeout);

        Assert.Null(result.PromptLogprobs);
        Assert.Null(result.Sequences[0].Logprobs);
        Assert.All(runner.Steps.SelectMany(s => s), c => Assert.Null(c.Scoring));
    }

    [Fact]
    public async Task A_stream_carries_each_tokens_logprob_and_the_prompts_with_each_samples_first_update()
    {
        var runner = new FakeModelRunner(slots: 4);
        await using var engine = InferenceEngine.Start(() => runner, new EngineOptions { MaxBatchSize = 2, MaxTokensPerStep = 2 });
        int[] prompt = [10, 11, 12, 13, 14];

        var updates = new List<GenerationUpdate>();
        await foreach (var update in engine.StreamAsync(new GenerationRequest(prompt, new SamplingParams { Temperature = 0, MaxTokens = 4, N = 2, PromptLogprobs = 0, Logprobs = 0 })).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            updates.Add(update);
        }

        foreach (var sample in updates.GroupBy(u => u.SequenceIndex))
        {
            var first = sample.First();
            Assert.Equal(prompt[1..], first.PromptLogprobs!.Skip(1).Select(l => l!.TokenId));
            Assert.All(sample.Skip(1), u => Assert.Null(u.PromptLogprobs));
            Assert.All(sample, u => Assert.Equal(u.TokenIds, u.Logprobs!.Select(l => l.TokenId)));
        }

        Assert.Equal(2, updates.Select(u => u.SequenceIndex).Distinct().Count());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(21)]
    public void Out_of_range_counts_are_refused_naming_the_field(int count)
    {
        var logprobs = Assert.Throws<ArgumentException>(() => new SamplingParams { Logprobs = count }.Validate());
        Assert.Equal("Logprobs", logprobs.ParamName);
        var prompt = Assert.Throws<ArgumentException>(() => new SamplingParams { PromptLogprobs = count }.Validate());
        Assert.Equal("PromptLogprobs", prompt.ParamName);
    }
}
