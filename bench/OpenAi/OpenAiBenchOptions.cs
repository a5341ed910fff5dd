using System.Globalization;

namespace VerlOrleans.Bench.OpenAi;

/// <summary>Command-line knobs of the /v1 benchmark (<c>--name value</c> pairs), with defaults that finish in about ten minutes on a 2-core CPU.</summary>
internal sealed record OpenAiBenchOptions
{
    /// <summary>Concurrent streaming clients, and prompts in the run they are compared with (one distinct prompt each).</summary>
    public int Clients { get; init; } = 32;

    /// <summary>Response tokens per prompt (the bench model never picks an end token, so every response is this long).</summary>
    public int MaxTokens { get; init; } = 64;

    /// <summary>Alternating rounds; each measures both sides, in the opposite order of the round before.</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>Sequences the silo's engine runs at once (VerlOrleans:ModelMaxBatchSize; the grid's default is 32).</summary>
    public int EngineBatch { get; init; } = 32;

    /// <summary>"bench": bench/Grid's Qwen2.5-0.5B-shaped random model with a full-vocabulary tokenizer; "tiny-chat": the 119k-parameter test fixture.</summary>
    public string Model { get; init; } = "bench";

    /// <summary>Also time the first token with one-token responses on both sides (the like-for-like first-token ratio).</summary>
    public bool FirstTokenRounds { get; init; } = true;

    /// <summary>The mixed row: the clients and a run of the same prompts started together.</summary>
    public bool Mixed { get; init; } = true;

    public int Seed { get; init; } = 2024;

    /// <summary>The clients also ask for each token's logprob with this many alternatives (null: none), to price the logprob pass.</summary>
    public int? Logprobs { get; init; }

    public static OpenAiBenchOptions Parse(string[] args)
    {
        var options = new OpenAiBenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--clients" => options with { Clients = Int() },
                "--max-tokens" => options with { MaxTokens = Int() },
                "--rounds" => options with { Rounds = Int() },
                "--engine-batch" => options with { EngineBatch = Int() },
                "--model" => options with { Model = Next() is ("bench" or "tiny-chat") and var model ? model : throw new ArgumentException("--model is bench or tiny-chat") },
                "--no-first-token-rounds" => options with { FirstTokenRounds = false },
                "--no-mixed" => options with { Mixed = false },
                "--seed" => options with { Seed = Int() },
                "--logprobs" => options with { Logprobs = Int() },
                _ => throw new ArgumentException(
                    $"unknown option {args[i]}; known: --clients --max-tokens --rounds --engine-batch --model bench|tiny-chat --no-first-token-rounds --no-mixed --seed --logprobs K (bench/OpenAi/README.md)"),
            };
        }

        return options.Clients > 0 && options.MaxTokens > 0 && options.Rounds > 0 && options.EngineBatch > 0
            ? options
            : throw new ArgumentException("--clients, --max-tokens, --rounds and --engine-batch must be positive");
    }
}
