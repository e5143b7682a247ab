using System.Runtime.InteropServices;
using System.Text;

namespace Genre.Native;

/// <summary>
/// Makes TorchSharp's native shim loadable on hosts whose libstdc++ is older than the one it was
/// linked against (Debian 12: GLIBCXX_3.4.30, the shim asks for 3.4.32 for one unused marker symbol).
/// The fix marks that single version need as weak in the ELF file (one byte). It runs only where the
/// host lacks the version, only once per file, and writes the patched file atomically.
/// </summary>
public static class TorchNativeFix
{
    public const string LibraryFileName = "libLibTorchSharp.so";
    public const string MissingVersion = "GLIBCXX_3.4.32";
    static readonly object Gate = new();
    static bool _done;
    static GenreException? _failure;

    /// <summary>Call before the first TorchSharp call of the process. Cheap after the first call.</summary>
    public static void EnsureApplied(bool rethrow = false)
    {
        lock (Gate)
        {
            if (_done)
            {
                if (rethrow && _failure is not null) throw _failure;
                return;
            }
            _done = true;
            if (!OperatingSystem.IsLinux() || HostHasVersion(MissingVersion)) return;
            foreach (var path in CandidatePaths())
            {
                if (!File.Exists(path)) continue;
                try { ElfVersionNeed.MakeWeak(path, MissingVersion); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw _failure = new GenreException($"{path}: cannot patch TorchSharp's native library ({e.Message}); " +
                        "make the file writable or run a build once (the build applies the same fix)");
                }
            }
        }
    }

    static IEnumerable<string> CandidatePaths()
    {
        string baseDir = AppContext.BaseDirectory;
        yield return Path.Combine(baseDir, LibraryFileName);
        yield return Path.Combine(baseDir, "runtimes", "linux-x64", "native", LibraryFileName);
        string? pkg = Environment.GetEnvironmentVariable("TORCHSHARP_NATIVE_PATH");
        if (pkg is not null) yield return Path.Combine(pkg, LibraryFileName);
    }

    /// <summary>True when the libstdc++ this process uses (or the system's) defines <paramref name="version"/>.</summary>
    public static bool HostHasVersion(string version)
    {
        byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
        foreach (var lib in LibStdCxxCandidates())
        {
            if (!File.Exists(lib)) continue;
            byte[] bytes = File.ReadAllBytes(lib);
            return bytes.AsSpan().IndexOf(needle) >= 0;
        }
        return true; // no libstdc++ found: nothing we could improve
    }

    static IEnumerable<string> LibStdCxxCandidates()
    {
        string? mapped = null;
        try
        {
            mapped = File.ReadLines("/proc/self/maps")
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault())
                .FirstOrDefault(p => p is not null && p.Contains("libstdc++.so"));
        }
        catch (IOException) { }
        if (mapped is not null) yield return mapped;
        string arch = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64";
        yield return $"/usr/lib/{arch}-linux-gnu/libstdc++.so.6";
        yield return "/usr/lib64/libstdc++.so.6";
        yield return "/usr/lib/libstdc++.so.6";
    }
}
