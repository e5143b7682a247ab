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

    public static void EnsureInitialized()
    {
        lock (Gate)
        {
            if (_initialized) return;
            TorchNativeFix.EnsureApplied(rethrow: true);
            torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
            _initialized = true;
        }
    }
}
