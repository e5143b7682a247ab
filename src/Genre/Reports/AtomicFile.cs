namespace Genre.Reports;

/// <summary>Writes files so that readers see either the old file or the whole new one, never half of it. A write that
/// fails (a full disk, a read-only folder) leaves no temporary file and throws one line naming the path
/// (<see cref="StorageErrors"/>).</summary>
public static class AtomicFile
{
    /// <param name="durable">Also flush to the disk before the rename (survives power loss; costs an fsync).
    /// Caches that can be recomputed pass false.</param>
    public static void Write(string path, Action<Stream> write, bool durable = true)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) StorageErrors.CreateDirectory(dir);
        string temp = Path.Combine(dir ?? ".", $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: durable);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e)
        {
            try { File.Delete(temp); } catch (Exception d) when (d is IOException or UnauthorizedAccessException) { }
            if (e is IOException or UnauthorizedAccessException) throw StorageErrors.Writing(full, e);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s => { var b = System.Text.Encoding.UTF8.GetBytes(text); s.Write(b); });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));
}
