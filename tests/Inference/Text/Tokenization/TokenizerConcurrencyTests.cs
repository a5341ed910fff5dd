using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

/// <summary>
/// One tokenizer instance serves many runs at once (the grid's silos share it per model folder): concurrent encodes
/// and decodes from a cold start give the oracle's ids and texts.
/// </summary>
[Collection(TokenizerCollection.Name)]
public sealed class TokenizerConcurrencyTests(TokenizerFamilies families)
{
    [Fact]
    public void Eight_threads_sharing_a_fresh_tokenizer_get_the_oracle_ids_and_texts()
    {
        var tokenizer = HfTokenizer.FromDirectory(families.Unpack("qwen2_5"));   // fresh: its word cache fills under contention
        var cases = TokenizerGoldenCase.Load("qwen2_5");
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, worker =>
        {
            for (var round = 0; round < 20; round++)
            {
                // Each worker walks the corpus from its own offset, so different words race into the cache.
                for (var i = 0; i < cases.Count; i++)
                {
                    var c = cases[(i + worker * 7 + round) % cases.Count];
                    if (!tokenizer.Encode(c.Text).ToArray().SequenceEqual(c.Ids))
                    {
                        failures.Add($"worker {worker}: encode of {c}");
                    }

                    if (tokenizer.Decode(c.Ids) != c.Decoded)
                    {
                        failures.Add($"worker {worker}: decode of {c}");
                    }
                }
            }
        });

        Assert.True(failures.IsEmpty, string.Join('\n', failures.Take(10)));
    }
}
