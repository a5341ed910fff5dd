using System.Text.Json;
using System.Text.RegularExpressions;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>The text pipeline around the BPE model: normalizer, pre-tokenizer (with its split patterns) and decoder.</summary>
internal static partial class TokenizerJsonReader
{
    private sealed partial class Parser
    {
        private bool ReadNormalizer(JsonElement root)
        {
            if (!root.TryGetProperty("normalizer", out var normalizer) || normalizer.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            var nfc = false;
            Visit(normalizer, "normalizer");
            return nfc;

            void Visit(JsonElement element, string field)
            {
                var type = OptionalString(element, "type", $"{field}.type");
                switch (type)
                {
                    case "NFC":
                        nfc = true;
                        break;
                    case "Sequence":
                        var index = 0;
                        foreach (var child in Required(element, "normalizers", JsonValueKind.Array, $"{field}.normalizers").EnumerateArray())
                        {
                            Visit(child, $"{field}.normalizers[{index++}]");
                        }

                        break;
                    default:
                        throw Fail($"{field}.type", $"normalizer '{type ?? "(missing)"}' is not supported (only NFC)");
                }
            }
        }

        private List<string> ReadPreTokenizer(JsonElement root)
        {
            if (!root.TryGetProperty("pre_tokenizer", out var preTokenizer) || preTokenizer.ValueKind != JsonValueKind.Object)
            {
                throw Fail("pre_tokenizer", "missing: a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer");
            }

            var steps = new List<(JsonElement Element, string Field)>();
            if (OptionalString(preTokenizer, "type", "pre_tokenizer.type") == "Sequence")
            {
                var index = 0;
                foreach (var child in Required(preTokenizer, "pretokenizers", JsonValueKind.Array, "pre_tokenizer.pretokenizers").EnumerateArray())
                {
                    steps.Add((child, $"pre_tokenizer.pretokenizers[{index++}]"));
                }
            }
            else
            {
                steps.Add((preTokenizer, "pre_tokenizer"));
            }

            var patterns = new List<string>();
            for (var i = 0; i < steps.Count; i++)
            {
                var (step, field) = steps[i];
                var type = OptionalString(step, "type", $"{field}.type");
                var isLast = i == steps.Count - 1;
                switch (type)
                {
                    case "Split" when !isLast:
                        patterns.Add(ReadSplit(step, field));
                        break;
                    case "ByteLevel" when isLast:
                        if (OptionalBool(step, "add_prefix_space", $"{field}.add_prefix_space") == true)
                        {
                            throw Fail($"{field}.add_prefix_space", "true is not supported");
                        }

                        if (OptionalBool(step, "use_regex", $"{field}.use_regex") ?? true)
                        {
                            patterns.Add(Gpt2SplitPattern);
                        }

                        return patterns;
                    case "Split" or "ByteLevel":
                        throw Fail($"{field}.type", "byte-level BPE needs Split steps followed by exactly one ByteLevel step, last");
                    default:
                        throw Fail($"{field}.type", $"pre-tokenizer '{type ?? "(missing)"}' is not supported (only Split and ByteLevel)");
                }
            }

            throw Fail("pre_tokenizer", "has no ByteLevel step, so this is not a byte-level BPE tokenizer");
        }

        private string ReadSplit(JsonElement split, string field)
        {
            var behavior = OptionalString(split, "behavior", $"{field}.behavior");
            if (behavior != "Isolated")
            {
                throw Fail($"{field}.behavior", $"'{behavior ?? "(missing)"}' is not supported (only Isolated)");
            }

            if (OptionalBool(split, "invert", $"{field}.invert") == true)
            {
                throw Fail($"{field}.invert", "true is not supported");
            }

            var pattern = Required(split, "pattern", JsonValueKind.Object, $"{field}.pattern");
            string regex;
            if (pattern.TryGetProperty("Regex", out var regexElement) && regexElement.ValueKind == JsonValueKind.String)
            {
                regex = regexElement.GetString()!;
            }
            else if (pattern.TryGetProperty("String", out var literal) && literal.ValueKind == JsonValueKind.String)
            {
                regex = Regex.Escape(literal.GetString()!);
            }
            else
            {
                throw Fail($"{field}.pattern", "has neither a \"Regex\" nor a \"String\"");
            }

            if (regex.Length is 0 or > MaxPatternLength)
            {
                throw Fail($"{field}.pattern", $"length {regex.Length} is outside 1..{MaxPatternLength}");
            }

            try
            {
                _ = new Regex(regex, RegexOptions.CultureInvariant);
            }
            catch (ArgumentException e)
            {
                throw Fail($"{field}.pattern", $"not a regular expression .NET can run: {e.Message}");
            }

            return regex;
        }

        private void CheckDecoder(JsonElement root)
        {
            var decoder = root.TryGetProperty("decoder", out var element) && element.ValueKind == JsonValueKind.Object
                ? OptionalString(element, "type", "decoder.type")
                : null;
            if (decoder != "ByteLevel")
            {
                throw Fail("decoder.type", $"decoder '{decoder ?? "(missing)"}' is not supported (only ByteLevel)");
            }
        }
    }
}
