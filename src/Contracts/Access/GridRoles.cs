namespace VerlOrleans.Contracts.Access;

/// <summary>
/// The roles an API token carries (<c>VerlOrleans:Auth:Tokens</c>): <see cref="Read"/> sees everything, <see cref="Admin"/>
/// also starts, cancels, registers and deletes.
/// </summary>
public static class GridRoles
{
    public const string Read = "read";

    public const string Admin = "admin";

    /// <summary>The caller name of every request on an open grid (loopback, no tokens configured).</summary>
    public const string OpenCaller = "local";

    /// <summary>A claim only the open grid's callers carry: the dashboard shows no sign-in or sign-out for them.</summary>
    public const string OpenClaim = "verlorleans:open";

    public static IReadOnlyList<string> All { get; } = [Read, Admin];
}
