namespace VerlOrleans.Silo.Security;

/// <summary>
/// The two authorization policies every endpoint and page names: <see cref="Read"/> (any valid token: see runs,
/// results, models, the dashboards) and <see cref="Admin"/> (an admin token: everything that starts, cancels,
/// registers or deletes). On the open loopback default every caller holds both.
/// </summary>
public static class GridPolicies
{
    public const string Read = "grid-read";

    public const string Admin = "grid-admin";
}
