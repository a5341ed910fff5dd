using System.Text.Json;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

/// <summary>
/// Ids and decodes against an independent implementation (@lenml/tokenizers, a transformers.js fork) over the
/// shared corpus: CJK, emoji sequences, characters outside the BMP, digits, code, whitespace runs, CRLF,
/// combining characters and chat special tokens. Every mismatch of a family is reported at once.
/// </summary>
[Collection(TokenizerCollection.Name)]
public sealed class TokenizerOracleTests(TokenizerFamilies families)
{
    public static TheoryData<string> Families => new(TextFixtures.TokenizerFamilies);

    [Theory]
    [MemberData(nameof(Families))]
    public void Encoding_gives_the_oracle_ids_for_the_whole_corpus(string family)
    {
        var tokenizer = families.Get(family);
        var cases = TokenizerGoldenCase.Load(family);

        var mismatches = cases
            .Select(c => (Case: c, Actual: tokenizer.Encode(c.Text).ToArray()))
            .Where(r => !r.Actual.SequenceEqual(r.Case.Ids))
            .Select(r => $"{r.Case}: expected [{string.Join(',', r.Case.Ids)}] got [{string.Join(',', r.Actual)}]")
            .ToList();

        Assert.True(cases.Count >= 40, $"the {family} golden file has only {cases.Count} cases");
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Decoding_gives_the_oracle_text_with_and_without_special_tokens(string family)
    {
        var tokenizer = families.Get(family);
        var mismatches = new List<string>();
        foreach (var c in TokenizerGoldenCase.Load(family))
        {
            Check(c, "decode", c.Decoded, tokenizer.Decode(c.Ids));
            Check(c, "decode skipping special", c.DecodedSkippingSpecial, tokenizer.Decode(c.Ids, skipSpecialTokens: true));
            Check(c, "decode of the first half", c.HalfDecoded, tokenizer.Decode(c.Ids.Take(c.HalfIds)));
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));

        void Check(TokenizerGoldenCase c, string what, string expected, string actual)
        {
            if (expected != actual)
            {
                mismatches.Add($"{c} {what}: expected {JsonSerializer.Serialize(expected)} got {JsonSerializer.Serialize(actual)}");
            }
        }
    }
}
