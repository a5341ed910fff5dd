using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards.Code;

/// <summary>
/// verl's <c>prime_code</c> (codecontests, apps, codeforces, taco): runs the code in the completion against the
/// ground truth's test cases (JSON text or an object with <c>inputs</c>, <c>outputs</c> and, for call-based problems,
/// <c>fn_name</c>) and scores 1 when every test passes at once, else the share of the first 10 tests that pass one by
/// one, as <c>default_compute_score</c> calls it (<c>continuous=True</c>). The program runs only in a
/// <see cref="CodeSandbox"/>, through prime_code_harness.py, which restates verl's comparison rules. A float score,
/// as in verl; why a sample scored as it did is in <see cref="RewardResult.Detail"/>.
/// </summary>
public sealed class PrimeCodeReward : IRewardFunction, IAsyncRewardFunction
{
    /// <summary>The data sources verl's default_compute_score routes to prime_code.</summary>
    public static readonly IReadOnlyList<string> Sources = ["codecontests", "apps", "codeforces", "taco"];

    private static readonly Lazy<CodeSandbox> SharedSandbox = new(() => new CodeSandbox(new CodeSandboxOptions()));
    private static readonly Lazy<string> Harness = new(ReadHarness);

    private readonly Lazy<CodeSandbox> _sandbox;

    /// <summary>Scores through the process-wide sandbox with default options (shared, so its concurrency limit holds across runs).</summary>
    public PrimeCodeReward() => _sandbox = SharedSandbox;

    public PrimeCodeReward(CodeSandbox sandbox) => _sandbox = new Lazy<CodeSandbox>(sandbox);

    public string Name => "prime_code";

    /// <summary>Blocks a thread for up to the sandbox's wall limit; runs score through <see cref="ScoreAsync"/>.</summary>
    public RewardResult Score(RewardRequest request)
    {
        var outcome = ScoreAsync(request).GetAwaiter().GetResult();
        return outcome.Result ?? RewardResult.Scalar(0.0) with { Detail = outcome.Error };
    }

    public async Task<RewardOutcome> ScoreAsync(RewardRequest request, CancellationToken cancellationToken = default)
    {
        var sandbox = _sandbox.Value;
        var options = sandbox.Options;
        var message = new JsonObject
        {
            ["completion"] = request.SolutionStr,
            ["test_cases"] = request.GroundTruth?.DeepClone(),
            ["first_timeout"] = options.FirstPassTimeoutSeconds,
            ["test_timeout"] = options.TestTimeoutSeconds,
            ["max_tests"] = options.MaxTests,
            ["limits"] = new JsonObject
            {
                ["as"] = options.MemoryBytes,
                ["nproc"] = options.MaxProcesses,
                ["fsize"] = options.MaxFileBytes,
                ["nofile"] = options.MaxOpenFiles,
                ["cpu"] = options.CpuSecondsPerProcess,
            },
        };
        var run = await sandbox.RunAsync(Harness.Value, message.ToJsonString(), options.WallLimit, cancellationToken).ConfigureAwait(false);
        if (run.TimedOut)
        {
            return RewardOutcome.Failure($"prime_code: the sandbox outlived its wall limit ({options.WallLimit.TotalSeconds:0} s) and was killed with everything it started");
        }

        var report = ParseReport(run.Stdout);
        if (report is null)
        {
            return RewardOutcome.Failure($"prime_code: the sandbox ended ({Describe(run.ExitCode)}) without a verdict: {run.StderrTail.Trim()}");
        }

        return RewardOutcome.Success(RewardResult.Scalar(report.Value.Score) with { Detail = report.Value.Reason });
    }

    private static (double Score, string Reason)? ParseReport(string stdout)
    {
        try
        {
            var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (line is null || JsonNode.Parse(line) is not JsonObject report || report["score"] is not JsonValue score)
            {
                return null;
            }

            return (score.GetValue<double>(), report["reason"]?.GetValue<string>() ?? "");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static string Describe(int exitCode) => exitCode switch
    {
        > 128 and < 160 => $"signal {exitCode - 128}",
        _ => $"exit code {exitCode}",
    };

    private static string ReadHarness()
    {
        const string resource = "VerlOrleans.Evaluation.Rewards.Code.prime_code_harness.py";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded resource {resource} is missing");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
