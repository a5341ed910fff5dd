using System.Globalization;
using System.Text.RegularExpressions;

namespace VerlOrleans.Checkpoints.Safetensors;

/// <summary>Sizes written like <c>save_pretrained</c>'s <c>max_shard_size</c>: "5GB" (10^9), "500MB", "2GiB" (2^30), or plain bytes.</summary>
public static partial class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        var match = Pattern().Match(text.Trim());
        if (!match.Success || !double.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        double unit = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1L << 10,
            "MIB" => 1L << 20,
            "GIB" => 1L << 30,
            "TIB" => 1L << 40,
            _ => 0,
        };
        var result = value * unit;
        if (unit == 0 || result < 1 || result > long.MaxValue / 2)
        {
            return false;
        }

        bytes = (long)result;
        return true;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
