namespace Genre.Model;

/// <summary>Arithmetic of the network's convolutions and dense layers. Weights are always stored in float32.</summary>
public enum Precision
{
    /// <summary>float32 throughout (the reference).</summary>
    Fp32,
    /// <summary>bfloat16 mixed precision, as PyTorch's CPU autocast: convolutions and dense layers compute in
    /// bfloat16 from float32 master weights; logits, loss, gradients and Adam stay float32.</summary>
    Bf16,
}

/// <summary>Resolves the user's --precision choice (auto, fp32, bf16) for this processor.</summary>
public static class PrecisionChoice
{
    public static readonly IReadOnlyList<string> Names = ["auto", "fp32", "bf16"];

    /// <summary>CPU flags that mean native bfloat16 arithmetic (without them bfloat16 is emulated and slow).</summary>
    public static readonly IReadOnlyList<string> NativeBf16Flags = ["avx512_bf16", "amx_bf16"];

    /// <param name="choice">auto, fp32 or bf16.</param>
    /// <param name="cpuFlags">The processor's feature flags; null reads them from /proc/cpuinfo.</param>
    public static Precision Resolve(string choice, IReadOnlySet<string>? cpuFlags = null) => choice.ToLowerInvariant() switch
    {
        "fp32" => Precision.Fp32,
        "bf16" => Precision.Bf16,
        "auto" => HasNativeBf16(cpuFlags ?? CpuFlags()) ? Precision.Bf16 : Precision.Fp32,
        _ => throw new GenreException($"--precision {choice}: choose one of {string.Join(", ", Names)}"),
    };

    public static bool HasNativeBf16(IReadOnlySet<string> cpuFlags) => NativeBf16Flags.Any(cpuFlags.Contains);

    /// <summary>One line for the console: what was picked and why.</summary>
    public static string Describe(string choice, Precision picked) =>
        choice.Equals("auto", StringComparison.OrdinalIgnoreCase)
            ? picked == Precision.Bf16
                ? "precision: bf16 (auto: this processor has native bfloat16)"
                : "precision: fp32 (auto: this processor has no native bfloat16; --precision bf16 would be emulated and slow)"
            : $"precision: {picked.ToString().ToLowerInvariant()}";

    static IReadOnlySet<string>? _cached;

    /// <summary>The "flags" line of /proc/cpuinfo (Linux); empty elsewhere, which makes auto pick fp32.</summary>
    public static IReadOnlySet<string> CpuFlags()
    {
        if (_cached is not null) return _cached;
        var flags = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                    if (line.StartsWith("flags", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                    {
                        flags.UnionWith(line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                        break;
                    }
        }
        catch (IOException) { /* unreadable: treat as no flags */ }
        return _cached = flags;
    }
}
