using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace VerlOrleans.Evaluation.Rewards;

/// <summary>
/// verl's <c>custom_reward_function</c>: a Python file and the function in it that scores every sample, called as
/// <c>name(data_source=…, solution_str=…, ground_truth=…, extra_info=…, **kwargs)</c>. It replaces the default
/// data-source routing entirely, as in verl. <paramref name="Kwargs"/> is verl's <c>reward_kwargs</c>.
/// </summary>
public sealed record CustomRewardFunction(string Path, string Name = CustomRewardFunction.DefaultName, JsonObject? Kwargs = null)
{
    /// <summary>verl's default <c>custom_reward_function.name</c>.</summary>
    public const string DefaultName = "compute_score";

    /// <summary>Throws <see cref="RewardConfigurationException"/> when the file is missing or the name is not a Python identifier.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Path) || !System.IO.Path.IsPathFullyQualified(Path))
        {
            throw new RewardConfigurationException($"reward file '{Path}' must be an absolute path");
        }

        if (!File.Exists(Path))
        {
            throw new RewardConfigurationException($"reward file '{Path}' does not exist (or is not a file)");
        }

        if (!IsIdentifier(Name))
        {
            throw new RewardConfigurationException($"reward function name '{Name}' is not a Python identifier");
        }
    }

    /// <summary>SHA-256 of the file's bytes, lower-case hex: another file scores differently, so a resumed run checks it.</summary>
    public string ContentSha256()
    {
        using var stream = File.OpenRead(Path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A Python identifier in the ASCII subset (letters, digits, underscore; not starting with a digit).</summary>
    public static bool IsIdentifier(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 200 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
