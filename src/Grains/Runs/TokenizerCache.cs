using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;

namespace VerlOrleans.Grains.Runs;

/// <summary>
/// The tokenizers and chat templates of the model folders this silo's runs evaluate, kept across runs. Loading a real
/// tokenizer.json (Qwen2.5: 150k tokens, 150k merges) takes 270-550 ms on this machine kind, which every run on a warm
/// model would otherwise pay before its first request. An entry is reused only while the folder's text files are
/// unchanged (path, size and write time of each); the least recently used of <see cref="Capacity"/> entries goes first.
/// Both types are safe to share: <see cref="HfTokenizer"/> keeps only read-only tables (the BPE word cache inside it is
/// locked), and a template render builds its own scope.
/// </summary>
public sealed class TokenizerCache
{
    /// <summary>Model folders whose text assets are kept.</summary>
    public const int Capacity = 8;

    private static readonly string[] TextFiles =
        ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json", "chat_template.jinja"];

    private readonly Lock _gate = new();
    private readonly LinkedList<Entry> _entries = new();   // most recently used first

    /// <summary>How many loads the cache has done (a hit does none).</summary>
    public int Loads { get; private set; }

    /// <summary>The tokenizer and chat template of <paramref name="modelFolder"/>, loaded once while its files are unchanged.</summary>
    public (HfTokenizer Tokenizer, ChatTemplate Template) Get(string modelFolder)
    {
        var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelFolder));
        var fingerprint = Fingerprint(folder);
        lock (_gate)
        {
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Folder == folder && node.Value.Fingerprint == fingerprint)
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    return (node.Value.Tokenizer, node.Value.Template);
                }
            }
        }

        // Loaded outside the lock: two runs missing at once both load, and the later one's entry wins; no caller waits
        // on another folder's load.
        var entry = new Entry(folder, fingerprint, HfTokenizer.FromDirectory(folder), ChatTemplate.FromDirectory(folder));
        lock (_gate)
        {
            Loads++;
            for (var node = _entries.First; node is not null; node = node.Next)
            {
                if (node.Value.Folder == folder)
                {
                    _entries.Remove(node);
                    break;
                }
            }

            _entries.AddFirst(entry);
            while (_entries.Count > Capacity)
            {
                _entries.RemoveLast();
            }
        }

        return (entry.Tokenizer, entry.Template);
    }

    private static string Fingerprint(string folder) => string.Join('|', TextFiles.Select(name =>
    {
        var file = new FileInfo(Path.Combine(folder, name));
        return file.Exists ? $"{name}:{file.Length}:{file.LastWriteTimeUtc.Ticks}" : $"{name}:-";
    }));

    private sealed record Entry(string Folder, string Fingerprint, HfTokenizer Tokenizer, ChatTemplate Template);
}
