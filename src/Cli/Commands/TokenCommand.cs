using System.CommandLine;
using VerlOrleans.Contracts.Access;

namespace VerlOrleans.Cli.Commands;

/// <summary>
/// <c>verlorleans token new --name NAME --role read|admin</c>: makes an API token. The token goes to its holder (printed
/// once, on stdout, alone on its line so it pipes into a file); the grid's settings get only its SHA-256, printed on
/// stderr as appsettings JSON and as environment variables.
/// </summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var name = new Option<string>("--name") { Description = "Whose token it is (shown in the dashboard, logs and per-caller limits)", Required = true };
        var role = new Option<string>("--role") { Description = "read (see everything) or admin (also start, cancel, register, delete)", DefaultValueFactory = _ => GridRoles.Read };
        role.AcceptOnlyFromAmong([.. GridRoles.All]);
        var index = new Option<int>("--index") { Description = "Position in VerlOrleans:Auth:Tokens for the environment-variable form", DefaultValueFactory = _ => 0 };
        var create = new Command("new", "Make an API token: the token on stdout (give it to its holder), the grid's settings for it on stderr.") { name, role, index };
        create.SetAction(parseResult =>
        {
            var who = parseResult.GetValue(name)!.Trim();
            if (who.Length == 0 || who.Any(char.IsControl) || who.Contains('"', StringComparison.Ordinal))
            {
                parseResult.InvocationConfiguration.Error.WriteLine("token new: --name must be a non-empty name without quotes or control characters");
                return 2;
            }

            var token = ApiTokenHash.NewToken();
            var hash = ApiTokenHash.Hash(token);
            var what = parseResult.GetValue(role)!;
            var at = parseResult.GetValue(index);
            parseResult.InvocationConfiguration.Output.WriteLine(token);
            var error = parseResult.InvocationConfiguration.Error;
            error.WriteLine($"Token for '{who}' ({what}) above: shown this once; the grid keeps only its hash. Add to the silo's settings:");
            error.WriteLine($$"""  "VerlOrleans": { "Auth": { "Tokens": [ { "Name": "{{who}}", "Role": "{{what}}", "Hash": "{{hash}}" } ] } }""");
            error.WriteLine("or as environment variables:");
            error.WriteLine($"  VERLORLEANS__AUTH__TOKENS__{at}__NAME={who}");
            error.WriteLine($"  VERLORLEANS__AUTH__TOKENS__{at}__ROLE={what}");
            error.WriteLine($"  VERLORLEANS__AUTH__TOKENS__{at}__HASH={hash}");
            return 0;
        });

        return new Command("token", "API tokens for a grid that listens beyond loopback.") { create };
    }
}
