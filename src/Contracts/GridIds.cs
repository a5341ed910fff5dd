namespace VerlOrleans.Contracts;

/// <summary>Ids the grid makes up for runs and sweeps: sortable by time, unique enough to never collide in practice.</summary>
public static class GridIds
{
    public static string New(string prefix, TimeProvider clock) =>
        $"{prefix}-{clock.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3)).ToLowerInvariant()}";

    /// <summary>What <see cref="IsValid"/> allows, as a refusal says it.</summary>
    public const string Rule = "1 to 100 characters of letters, digits, '-', '_' and '.' (not '.' or '..')";

    /// <summary>Ids become file names and URL segments: letters, digits, '-', '_' and '.' only.</summary>
    public static bool IsValid(string id) =>
        id.Length is > 0 and <= 100 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && id is not "." and not "..";
}
