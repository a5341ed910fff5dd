namespace VerlOrleans.Grains.Hosting;

/// <summary>What one request may ask of the grid (<c>VerlOrleans:Limits</c>); field ranges live in SpecValidation.</summary>
public sealed class RequestLimitsOptions
{
    /// <summary>Largest HTTP request body the API reads (larger: 413).</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>A run needs this much free space where results are written before it starts (else 507).</summary>
    public long MinFreeDiskBytes { get; set; } = 256L << 20;

    /// <summary>Runs and sweeps one caller (an API token's name) may have going at once; a sweep counts once (else 429).</summary>
    public int MaxActiveJobsPerCaller { get; set; } = 8;
}
