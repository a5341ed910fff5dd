using VerlOrleans.Grains.Runs;
using VerlOrleans.Testing;

namespace VerlOrleans.Grains.Tests.Runs;

/// <summary>The silo's tokenizer cache: loads a model folder's text assets once, and again when they change.</summary>
public sealed class TokenizerCacheTests : IDisposable
{
    private readonly TempDirectory _root = new("tokenizer-cache");

    [Fact]
    public void A_folder_is_loaded_once_while_its_files_are_unchanged()
    {
        var cache = new TokenizerCache();
        var folder = CopyTinyChat("a");

        var first = cache.Get(folder);
        var second = cache.Get(folder + Path.DirectorySeparatorChar);

        Assert.Same(first.Tokenizer, second.Tokenizer);
        Assert.Same(first.Template, second.Template);
        Assert.Equal(1, cache.Loads);
    }

    [Fact]
    public void A_changed_chat_template_is_picked_up_by_the_next_run()
    {
        var cache = new TokenizerCache();
        var folder = CopyTinyChat("b");
        var before = cache.Get(folder);

        File.WriteAllText(Path.Combine(folder, "chat_template.jinja"), "{% for m in messages %}[{{ m.content }}]{% endfor %}");
        var after = cache.Get(folder);

        Assert.NotSame(before.Template, after.Template);
        Assert.Equal(2, cache.Loads);
        var messages = System.Text.Json.Nodes.JsonNode.Parse("""[{"role": "user", "content": "hi"}]""")!.AsArray();
        Assert.Equal("[hi]", after.Template.Render(messages, addGenerationPrompt: false));
    }

    [Fact]
    public void The_least_recently_used_folder_is_dropped_past_capacity()
    {
        var cache = new TokenizerCache();
        var folders = Enumerable.Range(0, TokenizerCache.Capacity + 1).Select(i => CopyTinyChat($"f{i}")).ToList();
        foreach (var folder in folders.Take(TokenizerCache.Capacity))
        {
            cache.Get(folder);
        }

        cache.Get(folders[0]);                                   // now the most recently used
        cache.Get(folders[^1]);                                  // evicts folders[1]
        Assert.Equal(TokenizerCache.Capacity + 1, cache.Loads);

        cache.Get(folders[0]);
        Assert.Equal(TokenizerCache.Capacity + 1, cache.Loads);
        cache.Get(folders[1]);
        Assert.Equal(TokenizerCache.Capacity + 2, cache.Loads);
    }

    public void Dispose() => _root.Dispose();

    private string CopyTinyChat(string name)
    {
        var folder = _root.Combine(name);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(TinyChatModel.Folder).Where(f => !f.EndsWith(".safetensors", StringComparison.Ordinal)))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }
}
