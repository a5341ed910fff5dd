using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Silo.Security;

/// <summary>
/// <c>VerlOrleans:Auth</c>: the API tokens this grid accepts. No tokens: the grid is open (every caller is admin), which
/// it allows only while it listens on loopback. Any token: every request needs one, on any address.
/// </summary>
public sealed class AuthSettings
{
    public const string SectionName = "VerlOrleans:Auth";

    public List<ApiTokenSettings> Tokens { get; set; } = [];

    /// <summary>How long a dashboard sign-in lasts without use.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    public bool IsOpen => Tokens.Count == 0;

    /// <summary>Every mistake in the token list, naming its setting; empty when the list can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        for (var i = 0; i < Tokens.Count; i++)
        {
            var token = Tokens[i];
            var at = $"{SectionName}:Tokens:{i}";
            if (string.IsNullOrWhiteSpace(token.Name))
            {
                problems.Add($"{at}:Name is empty (a name says whose token it is, in logs and limits)");
            }

            if (!GridRoles.All.Contains(token.Role))
            {
                problems.Add($"{at}:Role '{token.Role}' is not one of {string.Join(", ", GridRoles.All)}");
            }

            if (!ApiTokenHash.IsWellFormed(token.Hash))
            {
                problems.Add($"{at}:Hash is not 'sha256:' and 64 lower-case hex digits (make one with `verlorleans token new`; the token itself never goes in settings)");
            }
        }

        problems.AddRange(Tokens.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{SectionName}:Tokens: the name '{g.Key}' is used {g.Count()} times"));
        return problems;
    }
}

/// <summary>One accepted token: whose it is, what it may do, and its SHA-256 (never the token itself).</summary>
public sealed class ApiTokenSettings
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = GridRoles.Read;

    public string Hash { get; set; } = "";
}
