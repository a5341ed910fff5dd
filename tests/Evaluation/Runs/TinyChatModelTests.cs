using VerlOrleans.Inference.Sampling;
using VerlOrleans.Testing;

namespace VerlOrleans.Evaluation.Tests.Runs;

/// <summary>
/// The committed tiny chat model loads in the tokenizer library and the engine, and the engine (through the
/// evaluation's generator adapter) continues the reference chats exactly as PyTorch 1.13 did.
/// </summary>
public sealed class TinyChatModelTests(TinyChatEngine engine) : IClassFixture<TinyChatEngine>
{
    [Theory]
    [InlineData("gsm8k-row-0")]
    [InlineData("system-and-user")]
    [InlineData("multi-turn")]
    public async Task Greedy_responses_are_pytorchs_tokens_and_text(string name)
    {
        var reference = TinyChatModel.Reference.Case(name);
        var sampling = new SamplingParams { Temperature = 0, MaxTokens = TinyChatModel.Reference.MaxNewTokens, StopTokenIds = engine.Tokenizer.SpecialTokenIds.Stop };

        var response = Assert.Single(await engine.Generator.GenerateAsync(reference.PromptIds, sampling, CancellationToken.None));

        Assert.Equal(0, response.SampleIndex);
        Assert.Equal(reference.GreedyIds, response.TokenIds);
        Assert.Equal(reference.ResponseText, response.Text);
        Assert.Equal(reference.FinishReason, response.FinishReason);
    }

    [Fact]
    public void The_tokenizer_covers_every_byte_and_stops_on_the_generation_configs_eos_list()
    {
        var text = new string(Enumerable.Range(1, 255).Select(b => (char)b).ToArray()) + "\u00e9\u4f60\U0001F600";

        var ids = engine.Tokenizer.Encode(text);

        Assert.Equal(text, engine.Tokenizer.Decode(ids));
        Assert.Equal(TinyChatModel.Reference.EosTokenIds, engine.Tokenizer.SpecialTokenIds.Stop);
        Assert.Equal("<|im_end|>", engine.Tokenizer.IdToToken(engine.Tokenizer.SpecialTokenIds.Stop[0]));
        Assert.True(engine.Tokenizer.IsSpecial(engine.Tokenizer.SpecialTokenIds.Stop[0]));
    }

    [Fact]
    public async Task Samples_are_seeded_seed_plus_i_and_stop_strings_cut_the_text()
    {
        var prompt = TinyChatModel.Reference.Case("system-and-user").PromptIds;
        var sampling = new SamplingParams { N = 3, Temperature = 1.0, Seed = 40, MaxTokens = 12 };

        var together = await engine.Generator.GenerateAsync(prompt, sampling, CancellationToken.None);
        var third = Assert.Single(await engine.Generator.GenerateAsync(prompt, sampling with { N = 1, Seed = 42 }, CancellationToken.None));
        var stop = together[0].Text.Substring(4, 3);
        var stopped = Assert.Single(await engine.Generator.GenerateAsync(prompt, sampling with { N = 1, Stop = [stop] }, CancellationToken.None));

        Assert.Equal([0, 1, 2], together.Select(r => r.SampleIndex));
        Assert.Equal(together[2].TokenIds, third.TokenIds);
        Assert.Equal(together[0].Text[..together[0].Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.Equal("stop", stopped.FinishReason);
    }
}
