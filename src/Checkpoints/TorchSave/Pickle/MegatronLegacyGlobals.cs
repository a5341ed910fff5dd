namespace VerlOrleans.Checkpoints.TorchSave.Pickle;

/// <summary>
/// What a Megatron per-rank <c>model_optim_rng.pt</c> names besides tensors, all kept as inert records and never
/// called: the training <c>args</c> (<c>argparse.Namespace</c>, whose values may hold Megatron's enums), NumPy's
/// RNG state array (<c>np.random.get_state()</c>), and Transformer Engine's <c>io.BytesIO</c> extra state. Only the
/// <c>model</c> entry is read; the rest is parsed so the file can be, and then ignored.
/// </summary>
internal static class MegatronLegacyGlobals
{
    private static readonly HashSet<string> InertClasses = new(StringComparer.Ordinal)
    {
        "argparse.Namespace",
        "_io.BytesIO",
        "io.BytesIO",
        "numpy.ndarray",
        "numpy.dtype",
        "numpy.core.multiarray._reconstruct",
        "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar",
        "numpy._core.multiarray.scalar",
    };

    /// <summary>Modules whose classes are plain enums (pickled as <c>Enum(value)</c>).</summary>
    private static readonly string[] EnumModules = ["megatron.core.enums", "megatron.core.transformer.enums", "megatron.core.model_parallel_config"];

    public static (GlobalRole Role, string Concept)? Lookup(string module, string name)
    {
        var full = $"{module}.{name}";
        if (InertClasses.Contains(full) || (EnumModules.Contains(module, StringComparer.Ordinal) && name.Length > 0 && char.IsUpper(name[0])))
        {
            return (GlobalRole.InertClass, full);
        }

        return null;
    }
}
