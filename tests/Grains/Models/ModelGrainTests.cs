using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Checkpoints;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Models;

/// <summary>The model grain over the real engine: streamed generation equals the whole result, token for token.</summary>
[Collection(GridClusterCollection.Name)]
public sealed class ModelGrainTests(GridClusterFixture fixture)
{
    [Fact]
    public async Task Streaming_yields_the_same_tokens_and_text_as_a_whole_generation()
    {
        var hash = CheckpointPreparer.HashHuggingFace(TinyChatModel.Folder, CancellationToken.None);
        var model = fixture.Client.GetGrain<IModelGrain>(ModelKeys.For(hash, "auto"));
        var spec = new ModelLoadSpec(TinyChatModel.Folder);
        var prompt = HfTokenizer.FromDirectory(TinyChatModel.Folder).Encode("<|im_start|>user\nWhat is 6 times 7?<|im_end|>\n<|im_start|>assistant\n");
        var call = new GenerationCall("stream-test", prompt, new SamplingSettings { N = 2, Temperature = 0.9, Seed = 11, MaxTokens = 40 });

        var whole = await model.GenerateAsync(spec, call);
        var chunks = new List<GenerationChunk>();
        await foreach (var chunk in model.StreamAsync(spec, call))
        {
            chunks.Add(chunk);
        }

        Assert.Equal(2, whole.Sequences.Count);
        Assert.True(chunks.Count > 2, $"{chunks.Count} chunks: not streamed");
        foreach (var sequence in whole.Sequences)
        {
            var mine = chunks.Where(c => c.SequenceIndex == sequence.Index).ToList();
            Assert.Equal(sequence.TokenIds, mine.SelectMany(c => c.TokenIds));
            Assert.Equal(sequence.Text, string.Concat(mine.Select(c => c.Text)));
            Assert.Equal(sequence.FinishReason, mine[^1].FinishReason);
        }
    }
}
