using System.Text.Json.Nodes;
using VerlOrleans.Evaluation.Rewards;
using VerlOrleans.Evaluation.Rewards.Python;

namespace VerlOrleans.Evaluation.Tests.Rewards.Python;

/// <summary>The custom reward files under Files/ (copied next to the test binaries) and pool settings for them.</summary>
internal static class RewardFiles
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Rewards", "Python", "Files", name);

    public static CustomRewardFunction Function(string file, string name = CustomRewardFunction.DefaultName, JsonObject? kwargs = null) =>
        new(PathOf(file), name, kwargs);

    /// <summary>The system interpreter (the tests run real Python processes), two workers, a short timeout.</summary>
    public static PythonRewardOptions Options(double timeoutSeconds = 5, int workers = 2) => new()
    {
        Interpreter = PythonRewardOptions.DefaultInterpreter,
        Workers = workers,
        Timeout = TimeSpan.FromSeconds(timeoutSeconds),
    };

    public static RewardRequest Request(string response, string truth = "72", string source = "my_source") =>
        new(source, response, JsonValue.Create(truth), new JsonObject { ["index"] = 0 });
}
