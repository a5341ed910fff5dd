using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Cli.Evaluation;

/// <summary>
/// verl's <c>custom_reward_function</c> on the command line (<c>--reward-path FILE --reward-name NAME
/// --reward-kwargs JSON</c>, for <c>score</c>, <c>eval</c> and <c>submit</c>), and, for the commands that score in this
/// process (<c>score</c>, <c>eval</c>), how the Python workers run (<see cref="Local"/>). A new instance per command.
/// </summary>
internal sealed class CustomRewardOptions
{
    public Option<string?> Path { get; } = new("--reward-path")
    {
        Description = "Python file with verl's custom_reward_function: its function scores every sample instead of the built-in routing",
    };

    public Option<string?> Name { get; } = new("--reward-name") { Description = $"Function in --reward-path (default: {CustomRewardFunction.DefaultName})" };

    public Option<string?> Kwargs { get; } = new("--reward-kwargs") { Description = "JSON object of keyword arguments for it (verl's custom_reward_function.reward_kwargs)" };

    public Option<string> Python { get; } = new("--python")
    {
        Description = "Python interpreter for --reward-path, and for the geo3k/prime_math answers only verl's Python can judge (default: the system's /usr/bin/python3)",
        DefaultValueFactory = _ => PythonRewardOptions.DefaultInterpreter,
    };

    public Option<string?> VirtualEnv { get; } = new("--python-venv") { Description = "Run --reward-path (and verl's geo3k/prime_math Python) with this virtualenv's python3 (for their dependencies)" };

    public Option<string[]> PythonPath { get; } = new("--python-path")
    {
        Description = "Folder to put on the reward workers' PYTHONPATH, e.g. a verl checkout that is not installed in the interpreter; repeat for several",
        AllowMultipleArgumentsPerToken = false,
    };

    public Option<int?> Workers { get; } = new("--reward-workers") { Description = "Python worker processes scoring in parallel (default: cores, at most 4)" };

    public Option<double> Timeout { get; } = new("--reward-timeout")
    {
        Description = "Seconds one sample may take; past it the sample fails with score 0 and its worker is replaced",
        DefaultValueFactory = _ => 30,
    };

    /// <summary>The options every command that names a reward takes (<c>submit</c> too: the grid runs the file).</summary>
    public IReadOnlyList<Option> Spec => [Path, Name, Kwargs];

    /// <summary>The options of commands that run the workers in this process.</summary>
    public IReadOnlyList<Option> Local => [Python, VirtualEnv, PythonPath, Workers, Timeout];

    /// <summary>
    /// The custom reward named, or null; the path is made absolute (whoever runs it checks that the file is there).
    /// Throws <see cref="ArgumentException"/> for a usage error.
    /// </summary>
    public CustomRewardFunction? Read(ParseResult parseResult)
    {
        var path = parseResult.GetValue(Path);
        var name = parseResult.GetValue(Name);
        var kwargs = parseResult.GetValue(Kwargs);
        if (path is null)
        {
            return name is null && kwargs is null ? null : throw new ArgumentException("--reward-name and --reward-kwargs need --reward-path");
        }

        var function = new CustomRewardFunction(System.IO.Path.GetFullPath(path), name ?? CustomRewardFunction.DefaultName, ParseKwargs(kwargs));
        return CustomRewardFunction.IsIdentifier(function.Name)
            ? function
            : throw new ArgumentException($"--reward-name '{function.Name}' is not a Python function name");
    }

    /// <summary>How this process runs the workers.</summary>
    public PythonRewardOptions ReadLocal(ParseResult parseResult)
    {
        var timeout = parseResult.GetValue(Timeout);
        if (!(timeout > 0))
        {
            throw new ArgumentException($"--reward-timeout {timeout.ToString(CultureInfo.InvariantCulture)} must be a positive number of seconds");
        }

        var options = new PythonRewardOptions
        {
            Interpreter = parseResult.GetValue(Python)!,
            VirtualEnv = parseResult.GetValue(VirtualEnv),
            PythonPath = [.. (parseResult.GetValue(PythonPath) ?? []).Select(System.IO.Path.GetFullPath)],
            Timeout = TimeSpan.FromSeconds(timeout),
        };
        if (parseResult.GetValue(Workers) is { } workers)
        {
            options.Workers = workers;
        }

        options.Validate();
        return options;
    }

    private static JsonObject? ParseKwargs(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("--reward-kwargs must be a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"--reward-kwargs is not valid JSON: {e.Message}", e);
        }
    }
}
