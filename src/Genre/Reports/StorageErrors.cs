namespace Genre.Reports;

/// <summary>
/// Turns a failed write into one line a user can act on: the path, what happened (a full disk, a read-only or
/// forbidden folder), and what to do. Commands write their finished work as they go, so "run it again" loses nothing.
/// </summary>
public static class StorageErrors
{
    // errno values as .NET reports them in IOException.HResult on Unix
    const int NoSpace = 28, ReadOnlyFileSystem = 30, QuotaExceeded = 122;

    /// <summary>True for a write that failed because the device is full (or the user's quota is).</summary>
    public static bool IsDiskFull(Exception e) =>
        e is IOException && ((e.HResult & 0xFFFF) is NoSpace or QuotaExceeded || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("not enough space", StringComparison.OrdinalIgnoreCase));

    /// <summary>True for a write refused by permissions or a read-only file system.</summary>
    public static bool IsReadOnly(Exception e) =>
        e is UnauthorizedAccessException || e is IOException && ((e.HResult & 0xFFFF) == ReadOnlyFileSystem
            || e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase));

    /// <summary>Directory.CreateDirectory, failing with the one line of <see cref="Writing"/>.</summary>
    public static void CreateDirectory(string path)
    {
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Writing(path, e); }
    }

    /// <summary>The one-line error for writing <paramref name="path"/>.</summary>
    public static GenreException Writing(string path, Exception e) => e switch
    {
        _ when IsDiskFull(e) => new GenreException(
            $"{path}: cannot write, no space left on the device; free some space (or write to another disk) and run the same command again: finished work is kept"),
        _ when IsReadOnly(e) => new GenreException(
            $"{path}: cannot write, the folder is read-only or not yours ({FirstLine(e.Message)}); write to another folder or make it writable"),
        _ => new GenreException($"{path}: cannot write ({FirstLine(e.Message)})"),
    };

    /// <summary>The system's reason without the path it repeats ("Read-only file system : '/x/.y.tmp'" -> "Read-only file system").</summary>
    static string FirstLine(string message)
    {
        string line = message.Split('\n')[0];
        int path = line.IndexOf(" : '", StringComparison.Ordinal);
        return (path > 0 ? line[..path] : line).TrimEnd('.', ' ', '\r');
    }
}
