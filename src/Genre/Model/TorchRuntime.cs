using Genre.Native;
using TorchSharp;

namespace Genre.Model;

/// <summary>One-time set-up of the native runtime: the libstdc++ fix, then the thread count.</summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static bool _initialized;

    /// <summary>Runs the set-up before a base-class constructor touches TorchSharp; returns its argument.</summary>
    public static T Ready<T>(T value)
    {
        EnsureInitialized();
        return value;
    }

    /// <summary>The fix must precede the first TorchSharp call of the process, whoever makes it:
    /// running it when this library is loaded covers apps, tests and published outputs alike.</summary>
#pragma warning disable CA2255 // deliberate: library-load hook, see above
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLibraryLoad()
    {
        try { TorchNativeFix.EnsureApplied(); }
        catch (GenreException) { /* reported again, with its message, by EnsureInitialized */ }
    }

    /// <summary>
    /// libtorch allocates every activation afresh each step; glibc serves blocks that large with
    /// mmap and returns them with munmap, so each step pays for page faults and zeroing in the
    /// kernel. Raising the mmap and trim thresholds keeps those blocks in the heap for reuse.
    /// </summary>
    static void KeepLargeAllocations()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("GENRE_KEEP_MALLOC") == "1") return;
        try
        {
            const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
            mallopt(M_MMAP_THRESHOLD, 1 << 30);
            mallopt(M_TRIM_THRESHOLD, int.MaxValue);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { /* not glibc: nothing to tune */ }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);

    /// <summary>Intra-op threads: GENRE_THREADS if set, else one per core.</summary>
    public static int Threads { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("GENRE_THREADS"), out int n) && n > 0 ? n : Math.Max(1, Environment.ProcessorCount);

    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            TorchNativeFix.EnsureApplied(rethrow: true);
            torch.set_num_threads(Threads);
            KeepLargeAllocations();
            _initialized = true;
        }
    }
}
