using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

[Collection(TokenizerCollection.Name)]
public sealed class StreamingDecoderTests(TokenizerFamilies families)
{
    public static TheoryData<string> Families => new(TextFixtures.TokenizerFamilies);

    [Theory]
    [MemberData(nameof(Families))]
    public void Streamed_pieces_concatenate_to_the_full_decode_on_the_whole_corpus(string family)
    {
        var tokenizer = families.Get(family);
        foreach (var c in TokenizerGoldenCase.Load(family))
        {
            foreach (var skip in new[] { false, true })
            {
                var decoder = tokenizer.CreateStreamingDecoder(skip);
                var pieces = c.Ids.Select(decoder.Push).ToList();
                pieces.Add(decoder.Flush());

                Assert.True(tokenizer.Decode(c.Ids, skip) == string.Concat(pieces), $"{c} skip={skip}");
                Assert.DoesNotContain(pieces, piece => piece.Length > 0 && char.IsHighSurrogate(piece[^1]));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void A_character_split_across_tokens_is_held_until_it_completes(string family)
    {
        var tokenizer = families.Get(family);
        const string text = "東京🎉👩‍💻𝐀";
        var ids = tokenizer.Encode(text);
        var decoder = tokenizer.CreateStreamingDecoder();
        var pieces = ids.Select(decoder.Push).ToList();
        var rest = decoder.Flush();

        Assert.True(ids.Count > text.Length / 2, $"{family}: expected multi-token characters, got {ids.Count} ids");
        Assert.Contains(pieces, piece => piece.Length == 0);
        Assert.DoesNotContain(pieces, piece => piece.Contains('\uFFFD', StringComparison.Ordinal));
        Assert.Equal(text, string.Concat(pieces) + rest);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Random_id_sequences_stream_to_the_full_decode(string family)
    {
        var tokenizer = families.Get(family);
        var random = new Random(7);
        for (var sequence = 0; sequence < 200; sequence++)
        {
            var ids = Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(tokenizer.VocabularySize)).ToArray();
            var decoder = tokenizer.CreateStreamingDecoder(skipSpecialTokens: sequence % 2 == 0);
            var pushed = string.Concat(ids.Select(decoder.Push));
            var streamed = pushed + decoder.Flush();

            Assert.True(tokenizer.Decode(ids, skipSpecialTokens: sequence % 2 == 0) == streamed, $"ids [{string.Join(',', ids)}]");
        }
    }

    [Fact]
    public void Llama_3_cleans_up_spaces_like_transformers_also_when_streaming()
    {
        var tokenizer = families.Get("llama3");
        var ids = tokenizer.Encode("Hello , world . Is n't it ? I 'm sure !");
        var decoder = tokenizer.CreateStreamingDecoder();
        var pushed = string.Concat(ids.Select(decoder.Push));
        var streamed = pushed + decoder.Flush();

        Assert.True(tokenizer.Config.CleanUpTokenizationSpaces);
        Assert.Equal("Hello, world. Isn't it? I'm sure!", tokenizer.Decode(ids));
        Assert.Equal("Hello, world. Isn't it? I'm sure!", streamed);
    }

    [Fact]
    public void Flush_resets_the_decoder_for_the_next_sequence()
    {
        var tokenizer = families.Get("qwen2_5");
        var decoder = tokenizer.CreateStreamingDecoder();
        var rare = tokenizer.Encode("\U00020000");
        Assert.True(rare.Count > 1, "a CJK Extension B character should take several byte tokens");

        Assert.Equal(string.Empty, decoder.Push(rare[0]));
        Assert.Equal("\uFFFD", decoder.Flush());
        var pushed = string.Concat(tokenizer.Encode("ok").Select(decoder.Push));
        Assert.Equal("ok", pushed + decoder.Flush());
    }
}
