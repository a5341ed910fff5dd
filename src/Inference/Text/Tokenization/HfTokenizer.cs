using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace VerlOrleans.Inference.Text.Tokenization;

/// <summary>
/// A Hugging Face byte-level BPE tokenizer folder (Qwen2/2.5, Qwen3, Llama 3) on top of Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/>, encoding and decoding exactly as transformers' fast tokenizer does with
/// <c>add_special_tokens=False</c>: added tokens are split out of the raw text first, the rest is NFC-normalized
/// when the file says so, split by the file's own regexes (code-point exact, see
/// <see cref="SupplementaryCharacterProxy"/>) and merged by the BPE model. Thread-safe.
/// </summary>
public sealed class HfTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly AddedTokenMatcher _addedTokens;
    private readonly SplitPreTokenizer _preTokenizer;
    private readonly bool _normalizeNfc;
    private readonly bool _ignoreMerges;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabulary;
    private readonly Dictionary<string, int> _idsByToken;
    private readonly string?[] _tokensById;
    private readonly bool[] _special;
    private readonly byte[] _tokenBytes;
    private readonly int[] _tokenByteOffsets;

    private HfTokenizer(string directory, TokenizerDefinition definition, TokenizerConfig config)
    {
        Directory = directory;
        Config = config;
        _normalizeNfc = definition.NormalizeNfc;
        _ignoreMerges = definition.IgnoreMerges;
        _preTokenizer = new SplitPreTokenizer(definition.SplitPatterns);
        _addedTokens = new AddedTokenMatcher(definition.AddedTokens);
        AddedTokens = definition.AddedTokens;
        _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary)
        {
            Merges = definition.Merges,
            SpecialTokens = definition.AddedTokens.ToDictionary(token => token.Content, token => token.Id, StringComparer.Ordinal),
            ByteLevel = true,
            PreTokenizer = _preTokenizer,
            Normalizer = definition.NormalizeNfc ? NfcNormalizer.Instance : null,
        });

        _idsByToken = new Dictionary<string, int>(definition.Vocabulary, StringComparer.Ordinal);
        foreach (var added in definition.AddedTokens)
        {
            _idsByToken[added.Content] = added.Id;
        }

        _vocabulary = definition.Vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        VocabularySize = Math.Max(definition.Vocabulary.Values.Max(), definition.AddedTokens.Count == 0 ? 0 : definition.AddedTokens.Max(t => t.Id)) + 1;
        _tokensById = new string?[VocabularySize];
        foreach (var (token, id) in definition.Vocabulary)
        {
            _tokensById[id] = token;
        }

        _special = new bool[VocabularySize];
        foreach (var added in definition.AddedTokens)
        {
            _tokensById[added.Id] = added.Content;
            _special[added.Id] = added.Special;
        }

        // transformers treats the config's named and additional special tokens as special too.
        foreach (var token in config.SpecialTokens.Values.Concat(config.AdditionalSpecialTokens))
        {
            if (_idsByToken.TryGetValue(token, out var id))
            {
                _special[id] = true;
            }
        }

        (_tokenBytes, _tokenByteOffsets) = BuildTokenBytes(_tokensById, definition.AddedTokens);
        SpecialTokenIds = ResolveSpecialTokenIds(config);
    }

    /// <summary>The folder the tokenizer was loaded from.</summary>
    public string Directory { get; }

    /// <summary>The folder's tokenizer_config.json, special_tokens_map.json and generation_config.json.</summary>
    public TokenizerConfig Config { get; }

    /// <summary>One more than the largest id (vocabulary and added tokens).</summary>
    public int VocabularySize { get; }

    public IReadOnlyList<AddedToken> AddedTokens { get; }

    public SpecialTokenIds SpecialTokenIds { get; }

    /// <summary>The Microsoft.ML.Tokenizers model underneath, configured with this folder's pre-tokenizer and normalizer.</summary>
    public BpeTokenizer Model => _bpe;

    /// <summary>Loads <c>tokenizer.json</c> and the optional config files of a Hugging Face tokenizer folder.</summary>
    public static HfTokenizer FromDirectory(string directory)
    {
        var tokenizerPath = Path.Combine(directory, "tokenizer.json");
        if (!File.Exists(tokenizerPath))
        {
            throw new TokenizerFormatException(tokenizerPath, "not found: only tokenizer folders with a tokenizer.json (fast tokenizers) are supported");
        }

        var definition = TokenizerJsonReader.Read(tokenizerPath);
        var config = TokenizerConfig.FromDirectory(directory);
        try
        {
            return new HfTokenizer(directory, definition, config);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new TokenizerFormatException(tokenizerPath, e.Message, e);
        }
    }

    /// <summary>The token ids of <paramref name="text"/>, like transformers' <c>encode(text, add_special_tokens=False)</c>.</summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ThrowOnUnpairedSurrogate(text);
        var ids = new List<int>(text.Length / 3 + 4);
        var segments = new List<(int Offset, int Length, int TokenId)>();
        var pieces = new List<(int Offset, int Length)>();
        _addedTokens.Split(text, segments);
        foreach (var (offset, length, tokenId) in segments)
        {
            if (tokenId != AddedTokenMatcher.PlainText)
            {
                ids.Add(tokenId);
                continue;
            }

            var plain = text.AsSpan(offset, length);
            var normalized = _normalizeNfc ? NfcNormalizer.Instance.Normalize(plain).AsSpan() : plain;
            pieces.Clear();
            _preTokenizer.Split(normalized, pieces);
            foreach (var (pieceOffset, pieceLength) in pieces)
            {
                EncodePiece(normalized.Slice(pieceOffset, pieceLength), ids);
            }
        }

        return ids;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>, like transformers' <c>decode</c>: bytes that do not form valid UTF-8
    /// become U+FFFD, ids the vocabulary lacks are skipped, and the config's clean-up of spaces is applied.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var kept = ids.Where(id => IsKnown(id) && !(skipSpecialTokens && _special[id]));
        var text = _bpe.Decode(kept, considerSpecialTokens: true) ?? string.Empty;
        return Config.CleanUpTokenizationSpaces ? TokenizationSpaces.CleanUp(text) : text;
    }

    /// <summary>A decoder for a sequence that grows one id at a time; see <see cref="StreamingDecoder"/>.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool skipSpecialTokens = true) => new(this, skipSpecialTokens);

    /// <summary>Whether <c>skip_special_tokens</c> drops this id.</summary>
    public bool IsSpecial(int id) => IsKnown(id) && _special[id];

    /// <summary>Whether the id names a vocabulary entry or an added token.</summary>
    public bool IsKnown(int id) => (uint)id < (uint)VocabularySize && _tokensById[id] is not null;

    /// <summary>The token string of an id (byte-level spelling for vocabulary entries), or null for an unknown id.</summary>
    public string? IdToToken(int id) => IsKnown(id) ? _tokensById[id] : null;

    /// <summary>The id of a token string (byte-level spelling, or an added token's content), like <c>convert_tokens_to_ids</c>.</summary>
    public int? TokenToId(string token) => _idsByToken.TryGetValue(token, out var id) ? id : null;

    /// <summary>
    /// The raw bytes an id stands for in decoded text (a byte-level entry's bytes, so half of a character keeps its
    /// bytes; an added token's UTF-8). Only for ids the vocabulary has (<see cref="IsKnown"/>).
    /// </summary>
    public ReadOnlySpan<byte> TokenBytes(int id) =>
        _tokenBytes.AsSpan(_tokenByteOffsets[id], _tokenByteOffsets[id + 1] - _tokenByteOffsets[id]);

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (_ignoreMerges && TryWholeToken(piece, out var id))
        {
            // ignore_merges (Llama 3): a piece that is itself in the vocabulary is one token, merges or not.
            ids.Add(id);
            return;
        }

        ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
    }

    private bool TryWholeToken(ReadOnlySpan<char> piece, out int id)
    {
        var maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        var rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes);
        var rentedChars = ArrayPool<char>.Shared.Rent(maxBytes);
        try
        {
            var byteCount = Encoding.UTF8.GetBytes(piece, rentedBytes);
            for (var i = 0; i < byteCount; i++)
            {
                rentedChars[i] = ByteLevelAlphabet.ToChar(rentedBytes[i]);
            }

            return _vocabulary.TryGetValue(rentedChars.AsSpan(0, byteCount), out id);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rentedBytes);
            ArrayPool<char>.Shared.Return(rentedChars);
        }
    }

    private SpecialTokenIds ResolveSpecialTokenIds(TokenizerConfig config)
    {
        int? Resolve(string? token, string name) => token is null
            ? null
            : TokenToId(token) ?? throw new TokenizerFormatException(config.ConfigPath ?? Directory, $"{name} '{token}' is not a token of tokenizer.json");

        var bos = Resolve(config.BosToken, "bos_token");
        var eos = Resolve(config.EosToken, "eos_token");
        var pad = Resolve(config.PadToken, "pad_token") ?? eos;
        var stop = config.GenerationEosTokenIds ?? (eos is { } id ? [id] : []);
        return new SpecialTokenIds(bos, eos, pad, stop);
    }

    private static (byte[] Bytes, int[] Offsets) BuildTokenBytes(string?[] tokensById, IReadOnlyList<AddedToken> addedTokens)
    {
        var added = addedTokens.ToDictionary(token => token.Id, token => token.Content);
        var offsets = new int[tokensById.Length + 1];
        var buffer = new ArrayBufferWriter<byte>(tokensById.Length * 4);
        for (var id = 0; id < tokensById.Length; id++)
        {
            offsets[id] = buffer.WrittenCount;
            if (added.TryGetValue(id, out var content))
            {
                buffer.Write(Encoding.UTF8.GetBytes(content));
            }
            else if (tokensById[id] is { } token)
            {
                buffer.Write(ByteLevelAlphabet.ToBytes(token));
            }
        }

        offsets[tokensById.Length] = buffer.WrittenCount;
        return (buffer.WrittenSpan.ToArray(), offsets);
    }

    private static void ThrowOnUnpairedSurrogate(string text)
    {
        var start = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (start < 0)
        {
            return;
        }

        for (var i = start; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw new ArgumentException($"The text has an unpaired UTF-16 surrogate at index {i}; it is not valid Unicode and has no UTF-8 bytes to tokenize.", nameof(text));
            }
        }
    }
}
