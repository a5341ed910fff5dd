using System.Security.Cryptography;
using System.Text;

namespace VerlOrleans.Contracts.Access;

/// <summary>
/// API tokens and their stored form. A token is 256 random bits, so a plain SHA-256 is enough to keep it secret at rest
/// (nothing to brute-force, unlike a password); settings hold only <c>sha256:HEX</c>, never the token.
/// </summary>
public static class ApiTokenHash
{
    public const string Prefix = "sha256:";

    /// <summary>What a token is shown with (<c>vo_</c> and 43 base64url characters), so a leaked one is recognisable.</summary>
    public const string TokenPrefix = "vo_";

    /// <summary>A fresh random token.</summary>
    public static string NewToken() =>
        TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The stored form of <paramref name="token"/>: <c>sha256:</c> and 64 lower-case hex digits.</summary>
    public static string Hash(string token) => Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>True when <paramref name="stored"/> has the form <see cref="Hash"/> writes.</summary>
    public static bool IsWellFormed(string? stored) =>
        stored is { Length: 71 } && stored.StartsWith(Prefix, StringComparison.Ordinal) && stored.AsSpan(Prefix.Length).ContainsAnyExcept("0123456789abcdef") is false;

    /// <summary>Compares <paramref name="token"/>'s hash with a stored one in constant time.</summary>
    public static bool Matches(string token, string stored) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(stored));
}
