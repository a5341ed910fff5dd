using System.Security.Cryptography;
using System.Text;

namespace VerlOrleans.Evaluation.Imports;

/// <summary>
/// Uids for prompts read from verl's outputs, which carry none: the prompt's own text hashed, so the same prompt has the
/// same uid at every step of a training run (the dashboard pairs samples across runs by uid); a prompt text that comes
/// again later in the file gets <c>-2</c>, <c>-3</c>… (verl gave the two rows different uids).
/// </summary>
internal sealed class PromptIds
{
    private readonly Dictionary<string, int> _seen = new(StringComparer.Ordinal);

    public string Next(string promptText)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(promptText)))[..16];
        var count = _seen[hash] = _seen.GetValueOrDefault(hash) + 1;
        return count == 1 ? hash : $"{hash}-{count}";
    }
}
