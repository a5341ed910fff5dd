using System.Text;
using VerlOrleans.Inference.Engine;

namespace VerlOrleans.Inference.Tests.Engine;

/// <summary>Streaming text holds back characters split across tokens and never repeats or loses text.</summary>
public sealed class IncrementalDetokenizerTests
{
    // A byte-level vocabulary (id = byte), decoded as UTF-8 with U+FFFD for incomplete sequences, like a BPE tokenizer.
    private static string Utf8(IReadOnlyList<int> ids) => Encoding.UTF8.GetString(ids.Select(id => (byte)id).ToArray());

    [Fact]
    public void A_character_split_across_tokens_appears_once_it_is_complete()
    {
        var detokenizer = new IncrementalDetokenizer(Utf8);
        var bytes = Encoding.UTF8.GetBytes("añ€😀b");

        var deltas = bytes.Select(b => detokenizer.Append(b)).ToList();

        Assert.Equal("añ€😀b", string.Concat(deltas));
        Assert.DoesNotContain(deltas, d => d.Contains('\uFFFD', StringComparison.Ordinal));
        Assert.Equal(["a", "", "ñ", "", "", "€", "", "", "", "😀", "b"], deltas);
        Assert.Equal("añ€😀b", detokenizer.Complete());
    }

    [Fact]
    public void An_unfinished_character_at_the_end_shows_only_in_the_complete_text()
    {
        var detokenizer = new IncrementalDetokenizer(Utf8);

        var deltas = new[] { (int)'x', 0xE2, 0x82 }.Select(detokenizer.Append).ToList();

        Assert.Equal("x", string.Concat(deltas));
        Assert.Equal("x\uFFFD", detokenizer.Complete());
    }
}
