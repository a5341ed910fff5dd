using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Inference.Text.ChatTemplates;
using VerlOrleans.Inference.Text.Tokenization;
using VerlOrleans.Testing;

// Tokenizer throughput on the real tokenizer folders, single thread, side by side in one run:
//   encode        HfTokenizer.Encode (transformers' add_special_tokens=False semantics)
//   encode (ML)   the same BpeTokenizer driven by Microsoft.ML.Tokenizers' own pipeline, for the overhead ratio
//   decode        HfTokenizer.Decode of each text's ids
//   stream        StreamingDecoder, one Push per id
//   render        ChatTemplate.Render of the fixture conversations (templates of Fixtures/Templates)
// Usage: dotnet run -c Release --project bench/Text -- [--seconds 3] [--families qwen2_5,qwen3,llama3]
var seconds = 3.0;
var families = TextFixtures.TokenizerFamilies.ToList();
for (var i = 0; i < args.Length - 1; i += 2)
{
    switch (args[i])
    {
        case "--seconds": seconds = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--families": families = [.. args[i + 1].Split(',')]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

var texts = PromptLikeTexts();
Console.WriteLine($"{texts.Count} texts, {texts.Sum(t => t.Length):N0} chars; {seconds:0.#} s per measurement; {Environment.ProcessorCount} cores");
Console.WriteLine();
Console.WriteLine($"| {"family",-8} | {"encode tok/s",14} | {"encode (ML) tok/s",17} | {"ratio",5} | {"decode tok/s",14} | {"stream tok/s",14} |");
Console.WriteLine($"|{new string('-', 10)}|{new string('-', 16)}|{new string('-', 19)}|{new string('-', 7)}|{new string('-', 16)}|{new string('-', 16)}|");

var root = Path.Combine(Path.GetTempPath(), $"verlorleans-bench-text-{Environment.ProcessId}");
try
{
    foreach (var family in families)
    {
        var tokenizer = HfTokenizer.FromDirectory(TextFixtures.UnpackTokenizer(family, Path.Combine(root, family)));
        var ids = texts.Select(text => tokenizer.Encode(text).ToArray()).ToList();
        var encode = Measure(texts, text => tokenizer.Encode(text).Count);
        var encodeMl = Measure(texts, text => tokenizer.Model.EncodeToIds(text).Count);
        var decode = Measure(ids, sequence => tokenizer.Decode(sequence).Length > -1 ? sequence.Length : 0);
        var stream = Measure(ids, sequence =>
        {
            var decoder = tokenizer.CreateStreamingDecoder();
            foreach (var id in sequence)
            {
                decoder.Push(id);
            }

            decoder.Flush();
            return sequence.Length;
        });
        Console.WriteLine($"| {family,-8} | {encode,14:N0} | {encodeMl,17:N0} | {encode / encodeMl,5:0.00} | {decode,14:N0} | {stream,14:N0} |");
    }
}
finally
{
    Directory.Delete(root, recursive: true);
}

Console.WriteLine();
Console.WriteLine($"| {"template",-12} | {"conversation",-22} | {"prompt chars",12} | {"renders/s",10} |");
Console.WriteLine($"|{new string('-', 14)}|{new string('-', 24)}|{new string('-', 14)}|{new string('-', 12)}|");
var conversations = JsonNode.Parse(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Chat", "conversations.json")))!.AsArray();
foreach (var (templateName, conversationName) in new[] { ("qwen2_5", "gsm8k_prompt"), ("qwen3", "tool_call_round_trip"), ("llama3_1", "llama_tools_in_system") })
{
    var template = ChatTemplate.FromString(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Templates", $"{templateName}.jinja")), new Dictionary<string, string> { ["bos_token"] = "<s>" });
    var conversation = conversations.Single(c => c!["name"]!.GetValue<string>() == conversationName)!;
    var messages = conversation["messages"]!.AsArray();
    var variables = (conversation["variables"]?.AsObject() ?? []).ToDictionary(pair => pair.Key, pair => pair.Value?.DeepClone());
    var prompt = template.Render(messages, true, variables);
    var renders = Measure([messages], m => template.Render(m, true, variables).Length > 0 ? 1 : 0);
    Console.WriteLine($"| {templateName,-12} | {conversationName,-22} | {prompt.Length,12:N0} | {renders,10:N0} |");
}

return 0;

// Runs the work over the items round-robin for the configured time after one warm-up pass; returns tokens per second.
double Measure<T>(IReadOnlyList<T> items, Func<T, int> work)
{
    foreach (var item in items)
    {
        work(item);
    }

    long tokens = 0;
    var clock = Stopwatch.StartNew();
    var index = 0;
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        tokens += work(items[index]);
        index = (index + 1) % items.Count;
    }

    return tokens / clock.Elapsed.TotalSeconds;
}

// Prompt-sized texts (a few hundred to a few thousand characters) mixed from the oracle corpus, so every
// script, number format and special token of the tests also shows up here.
static List<string> PromptLikeTexts()
{
    var corpus = JsonSerializer.Deserialize<List<string>>(File.ReadAllText(Path.Combine(TextFixtures.Folder, "Corpus", "tokenizer-corpus.json")))!;
    var random = new Random(42);
    return Enumerable.Range(0, 400)
        .Select(_ => string.Join(" ", Enumerable.Range(0, random.Next(5, 40)).Select(_ => corpus[random.Next(corpus.Count)])))
        .ToList();
}
