using System.Text;
using System.Text.Json;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> strictly. Only byte-level BPE (Qwen2/2.5, Qwen3, Llama 3 and
/// relatives) is accepted; anything else fails with a message naming the field and the kind found, because a
/// tokenizer that half-works produces prompts that silently differ from transformers'.
/// </summary>
internal static partial class TokenizerJsonReader
{
    /// <summary>Upper bounds (on entries and on ids) that keep a hostile file from exhausting memory; real vocabularies are ~150k.</summary>
    public const int MaxVocabularySize = 4_000_000;
    public const int MaxTokenLength = 4096;
    public const int MaxPatternLength = 8192;

    /// <summary>GPT-2's split regex, which a ByteLevel pre-tokenizer applies itself when <c>use_regex</c> is true.</summary>
    public const string Gpt2SplitPattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static TokenizerDefinition Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(path, stream);
    }

    public static TokenizerDefinition Read(string path, Stream stream)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, $"not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            try
            {
                return new Parser(path).Parse(document.RootElement);
            }
            catch (InvalidOperationException e)
            {
                // JsonElement validates string contents lazily, e.g. invalid UTF-8 inside a token.
                throw new TokenizerFormatException(path, e.Message, e);
            }
        }
    }

    private sealed partial class Parser(string path)
    {
        private TokenizerFormatException Fail(string field, string problem) => new(path, $"{field}: {problem}");

        public TokenizerDefinition Parse(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new TokenizerFormatException(path, "the top level is not a JSON object");
            }

            var model = Required(root, "model", JsonValueKind.Object, "model");
            var modelType = OptionalString(model, "type", "model.type");
            if (modelType != "BPE")
            {
                throw Fail("model.type", $"'{modelType ?? "(missing)"}' is not supported: only byte-level BPE tokenizers (Qwen2/2.5, Qwen3, Llama 3) are");
            }

            CheckBpeOptions(model);
            var vocabulary = ReadVocabulary(Required(model, "vocab", JsonValueKind.Object, "model.vocab"));
            var merges = ReadMerges(Required(model, "merges", JsonValueKind.Array, "model.merges"), vocabulary);
            var normalizeNfc = ReadNormalizer(root);
            var splitPatterns = ReadPreTokenizer(root);
            CheckDecoder(root);
            var addedTokens = ReadAddedTokens(root, vocabulary, normalizeNfc);
            var ignoreMerges = OptionalBool(model, "ignore_merges", "model.ignore_merges") ?? false;
            return new TokenizerDefinition(vocabulary, merges, addedTokens, normalizeNfc, splitPatterns, ignoreMerges);
        }

        private void CheckBpeOptions(JsonElement model)
        {
            if (OptionalBool(model, "byte_fallback", "model.byte_fallback") == true)
            {
                throw Fail("model.byte_fallback", "true is not supported (SentencePiece-style BPE); only byte-level BPE is");
            }

            if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind != JsonValueKind.Null
                && !(dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() == 0))
            {
                throw Fail("model.dropout", "BPE dropout is not supported (it makes encoding random)");
            }

            foreach (var affix in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            {
                var value = OptionalString(model, affix, $"model.{affix}");
                if (!string.IsNullOrEmpty(value))
                {
                    throw Fail($"model.{affix}", $"'{value}' is not supported by byte-level BPE");
                }
            }
        }

        private Dictionary<string, int> ReadVocabulary(JsonElement vocab)
        {
            var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
            var tokensById = new Dictionary<int, string>();
            foreach (var entry in vocab.EnumerateObject())
            {
                if (vocabulary.Count >= MaxVocabularySize)
                {
                    throw Fail("model.vocab", $"more than {MaxVocabularySize} entries");
                }

                var field = $"model.vocab[\"{entry.Name}\"]";
                if (entry.Name.Length is 0 or > MaxTokenLength)
                {
                    throw Fail(field, $"token length {entry.Name.Length} is outside 1..{MaxTokenLength}");
                }

                if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id is < 0 or >= MaxVocabularySize)
                {
                    throw Fail(field, $"the id is not an integer in 0..{MaxVocabularySize - 1}");
                }

                if (!vocabulary.TryAdd(entry.Name, id))
                {
                    throw Fail(field, "the token appears twice");
                }

                if (!tokensById.TryAdd(id, entry.Name))
                {
                    throw Fail(field, $"id {id} is also used by token \"{tokensById[id]}\"");
                }

                if (ByteLevelAlphabet.ToBytes(entry.Name) is null)
                {
                    throw Fail(field, "the token uses characters outside the byte-level alphabet, so this is not a byte-level BPE vocabulary");
                }
            }

            if (vocabulary.Count == 0)
            {
                throw Fail("model.vocab", "the vocabulary is empty");
            }

            return vocabulary;
        }

        private List<string> ReadMerges(JsonElement merges, Dictionary<string, int> vocabulary)
        {
            var result = new List<string>(merges.GetArrayLength());
            var index = 0;
            foreach (var merge in merges.EnumerateArray())
            {
                var field = $"model.merges[{index++}]";
                string left, right;
                if (merge.ValueKind == JsonValueKind.String)
                {
                    // The older form: one string, the two parts separated by a single space.
                    var text = merge.GetString()!;
                    var space = text.IndexOf(' ', StringComparison.Ordinal);
                    if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                    {
                        throw Fail(field, $"\"{text}\" is not two tokens separated by one space");
                    }

                    left = text[..space];
                    right = text[(space + 1)..];
                }
                else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                         && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
                {
                    left = merge[0].GetString()!;
                    right = merge[1].GetString()!;
                    if (left.Length == 0 || right.Length == 0 || left.Contains(' ', StringComparison.Ordinal) || right.Contains(' ', StringComparison.Ordinal))
                    {
                        throw Fail(field, "a part is empty or contains a space, which byte-level BPE never does");
                    }
                }
                else
                {
                    throw Fail(field, "is neither a \"a b\" string nor a [\"a\", \"b\"] pair");
                }

                foreach (var token in new[] { left, right, left + right })
                {
                    if (!vocabulary.ContainsKey(token))
                    {
                        throw Fail(field, $"\"{token}\" is not in model.vocab");
                    }
                }

                result.Add($"{left} {right}");
            }

            return result;
        }

        private List<AddedToken> ReadAddedTokens(JsonElement root, Dictionary<string, int> vocabulary, bool normalizeNfc)
        {
            var result = new List<AddedToken>();
            if (!root.TryGetProperty("added_tokens", out var added) || added.ValueKind == JsonValueKind.Null)
            {
                return result;
            }

            if (added.ValueKind != JsonValueKind.Array)
            {
                throw Fail("added_tokens", "is not an array");
            }

            var tokensById = vocabulary.ToDictionary(pair => pair.Value, pair => pair.Key);
            var seenContent = new HashSet<string>(StringComparer.Ordinal);
            var seenIds = new HashSet<int>();
            var index = 0;
            foreach (var token in added.EnumerateArray())
            {
                var field = $"added_tokens[{index++}]";
                if (token.ValueKind != JsonValueKind.Object)
                {
                    throw Fail(field, "is not an object");
                }

                var idElement = Required(token, "id", JsonValueKind.Number, $"{field}.id");
                if (!idElement.TryGetInt32(out var id) || id is < 0 or >= MaxVocabularySize)
                {
                    throw Fail($"{field}.id", $"is not an integer in 0..{MaxVocabularySize - 1}");
                }

                var content = OptionalString(token, "content", $"{field}.content");
                if (string.IsNullOrEmpty(content) || content.Length > MaxTokenLength)
                {
                    throw Fail($"{field}.content", $"must be a string of 1..{MaxTokenLength} characters");
                }

                foreach (var flag in new[] { "single_word", "lstrip", "rstrip" })
                {
                    if (OptionalBool(token, flag, $"{field}.{flag}") == true)
                    {
                        throw Fail($"{field}.{flag}", "true is not supported");
                    }
                }

                // A normalized added token is matched after normalization; matching it on the raw text is the
                // same thing only when normalization leaves its content unchanged.
                if (normalizeNfc && OptionalBool(token, "normalized", $"{field}.normalized") == true
                    && !content.IsNormalized(NormalizationForm.FormC))
                {
                    throw Fail($"{field}.normalized", "a normalized added token whose content NFC changes is not supported");
                }

                if (tokensById.TryGetValue(id, out var vocabularyToken) && ByteLevelAlphabet.ToBytes(vocabularyToken) is { } bytes
                    && !bytes.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(content)))
                {
                    throw Fail($"{field}.id", $"id {id} already belongs to vocabulary token \"{vocabularyToken}\"");
                }

                if (!seenContent.Add(content) || !seenIds.Add(id))
                {
                    throw Fail(field, $"\"{content}\" (id {id}) repeats an earlier added token");
                }

                var special = OptionalBool(token, "special", $"{field}.special") ?? false;
                result.Add(new AddedToken(id, content, special));
            }

            return result;
        }

        private JsonElement Required(JsonElement parent, string name, JsonValueKind kind, string field)
        {
            if (!parent.TryGetProperty(name, out var value))
            {
                throw Fail(field, "missing");
            }

            if (value.ValueKind != kind)
            {
                throw Fail(field, $"expected {kind}, found {value.ValueKind}");
            }

            return value;
        }

        private string? OptionalString(JsonElement parent, string name, string field)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Fail(field, $"expected a string, found {value.ValueKind}");
        }

        private bool? OptionalBool(JsonElement parent, string name, string field)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Fail(field, $"expected true or false, found {value.ValueKind}"),
            };
        }
    }
}
