using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

[Collection(TokenizerCollection.Name)]
public sealed class SpecialTokenIdsTests(TokenizerFamilies families)
{
    [Fact]
    public void Qwen_has_no_bos_ends_on_im_end_and_pads_with_endoftext()
    {
        var ids = families.Get("qwen2_5").SpecialTokenIds;

        Assert.Equal(new SpecialTokenIds(null, 151645, 151643, [151645]), ids with { Stop = [.. ids.Stop] }, new SpecialTokenIdsComparer());
    }

    [Fact]
    public void Llama_3_pads_with_eos_when_the_config_names_no_pad_token()
    {
        var ids = families.Get("llama3").SpecialTokenIds;

        Assert.Equal(128000, ids.Bos);
        Assert.Equal(128001, ids.Eos);
        Assert.Equal(128001, ids.Pad);
        Assert.Equal([128001], ids.Stop);
    }

    [Fact]
    public void Generation_config_eos_list_becomes_the_stop_set_and_special_tokens_map_overrides_the_config()
    {
        var folder = families.Unpack("llama3");
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009], "do_sample": true}""");
        File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), """{"eos_token": {"content": "<|eot_id|>", "lstrip": false}, "pad_token": "<|reserved_special_token_2|>"}""");

        var tokenizer = HfTokenizer.FromDirectory(folder);

        Assert.Equal(128009, tokenizer.SpecialTokenIds.Eos);
        Assert.Equal(128004, tokenizer.SpecialTokenIds.Pad);
        Assert.Equal([128001, 128008, 128009], tokenizer.SpecialTokenIds.Stop);
    }

    [Fact]
    public void An_eos_token_the_tokenizer_does_not_have_fails_naming_it()
    {
        var folder = families.Unpack("qwen2_5");
        File.WriteAllText(Path.Combine(folder, "special_tokens_map.json"), """{"eos_token": "<|no_such_token|>"}""");

        var error = Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromDirectory(folder));

        Assert.Contains("eos_token '<|no_such_token|>'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_generation_config_fails_naming_the_file_and_key()
    {
        var folder = families.Unpack("qwen2_5");
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"eos_token_id": ["x"]}""");

        var error = Assert.Throws<TokenizerFormatException>(() => HfTokenizer.FromDirectory(folder));

        Assert.EndsWith("generation_config.json", error.FilePath, StringComparison.Ordinal);
        Assert.Contains("eos_token_id[0]", error.Message, StringComparison.Ordinal);
    }

    private sealed class SpecialTokenIdsComparer : IEqualityComparer<SpecialTokenIds>
    {
        public bool Equals(SpecialTokenIds? x, SpecialTokenIds? y) =>
            x is not null && y is not null && x.Bos == y.Bos && x.Eos == y.Eos && x.Pad == y.Pad && x.Stop.SequenceEqual(y.Stop);

        public int GetHashCode(SpecialTokenIds obj) => HashCode.Combine(obj.Bos, obj.Eos, obj.Pad);
    }
}
