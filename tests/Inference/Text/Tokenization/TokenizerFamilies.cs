using System.Collections.Concurrent;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

namespace VerlOrleans.Inference.Tests.Text.Tokenization;

/// <summary>The real tokenizer folders, unpacked once per test run and loaded on first use.</summary>
public sealed class TokenizerFamilies : IDisposable
{
    private readonly TempDirectory _root = new("tokenizers");
    private readonly ConcurrentDictionary<string, Lazy<HfTokenizer>> _tokenizers = new();

    public HfTokenizer Get(string family) =>
        _tokenizers.GetOrAdd(family, name => new Lazy<HfTokenizer>(() => HfTokenizer.FromDirectory(Unpack(name)))).Value;

    /// <summary>A fresh copy of a family's folder, for tests that add files to it.</summary>
    public string Unpack(string family) => TextFixtures.UnpackTokenizer(family, _root.Combine($"{family}-{Guid.NewGuid():N}"));

    public void Dispose() => _root.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TokenizerCollection : ICollectionFixture<TokenizerFamilies>
{
    public const string Name = "Real tokenizer folders";
}
