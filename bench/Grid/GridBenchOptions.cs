using System.Globalization;
using System.Reflection;

namespace VerlOrleans.Bench.Grid;

/// <summary>Command-line knobs of the grid benchmark (<c>--name value</c> pairs), with defaults that finish in minutes on a 2-core CPU.</summary>
internal sealed record GridBenchOptions
{
    public static string RepositoryRoot { get; } = typeof(GridBenchOptions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    public string ModelFolder { get; init; } = Path.Combine(Path.GetTempPath(), "verlorleans-bench", "qwen2.5-0.5b-random-tiny-chat-tokenizer");
    public string Data { get; init; } = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "verl-data", "gsm8k_test.parquet"));

    /// <summary>Evaluation runs compared (each on its own shuffled slice of the dataset).</summary>
    public int Runs { get; init; } = 4;

    /// <summary>Prompts per run.</summary>
    public int Prompts { get; init; } = 8;

    /// <summary>Response tokens per prompt (random weights rarely hit eos, so nearly every response is this long).</summary>
    public int MaxTokens { get; init; } = 64;

    /// <summary>Prompts are cut to their last this many tokens (the tiny-chat tokenizer spends a token per byte).</summary>
    public int MaxPromptLength { get; init; } = 128;

    /// <summary>Prompts in flight per run (eval's --batch-size); the grid's engine holds Runs × this many sequences.</summary>
    public int BatchSize { get; init; } = 8;

    public int TtftTrials { get; init; } = 3;

    /// <summary>Instead of the grid vs cold processes: the cluster path's cost, Localhost vs Redis (ProviderOverheadBenchmark).</summary>
    public bool CompareProviders { get; init; }

    /// <summary>Rounds of <see cref="CompareProviders"/> (each runs both providers).</summary>
    public int Rounds { get; init; } = 3;
    public int Seed { get; init; } = 2024;

    public static GridBenchOptions Parse(string[] args)
    {
        var options = new GridBenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--model-dir" => options with { ModelFolder = Next() },
                "--data" => options with { Data = Path.GetFullPath(Next()) },
                "--runs" => options with { Runs = Int() },
                "--prompts" => options with { Prompts = Int() },
                "--max-tokens" => options with { MaxTokens = Int() },
                "--max-prompt-length" => options with { MaxPromptLength = Int() },
                "--batch-size" => options with { BatchSize = Int() },
                "--ttft-trials" => options with { TtftTrials = Int() },
                "--seed" => options with { Seed = Int() },
                "--compare-providers" => options with { CompareProviders = true },
                "--rounds" => options with { Rounds = Int() },
                _ => throw new ArgumentException($"unknown option {args[i]}; see bench/README.md"),
            };
        }

        return options;
    }

    /// <summary>The evaluation options of run <paramref name="index"/>, the same for the grid's submit and a cold eval process.</summary>
    public string[] EvaluationArguments(int index, int prompts, int maxTokens) =>
    [
        "--data", Data, "--max-samples", Text(prompts), "--shuffle", "--shuffle-seed", Text(Seed + index),
        "--max-response-length", Text(maxTokens), "--max-prompt-length", Text(MaxPromptLength), "--truncation", "left",
        "--filter-overlong-prompts", "false", "--batch-size", Text(BatchSize), "--seed", Text(Seed),
    ];

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
