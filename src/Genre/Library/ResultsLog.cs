using System.Globalization;
using System.Text;
using System.Text.Json;
using Genre.Prediction;

namespace Genre.Library;

/// <summary>
/// The results file of `predict --results FILE`: one line per song (JSON Lines, or CSV when FILE ends in .csv),
/// appended and flushed as each song finishes, so an interrupted run loses only the songs in flight. Every line
/// carries the model's fingerprint and the song's size and modification time; a re-run skips the songs whose
/// last line has the same three and no error. Later lines for a file supersede earlier ones.
/// </summary>
/// <summary>One line of a results file: the song, its genre and probability (null for an error line), and what the song and
/// the model were when it was written.</summary>
public sealed record ResultLine(int LineNumber, string File, string? Genre, double? Probability, string Model, long? Size, string? Modified, string? Error);

public sealed class ResultsLog : IDisposable
{
    sealed record Entry(string Model, long? Size, string? Modified, bool Failed);

    readonly string _path;
    readonly string _model;
    readonly IReadOnlyList<string> _genres;
    readonly bool _csv;
    readonly int _top;
    readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    readonly StreamWriter _writer;
    readonly object _gate = new();

    public string Path => _path;
    /// <summary>Songs of the file that a re-run may skip (classified by this model, no error).</summary>
    public int Reusable => _entries.Values.Count(e => !e.Failed && e.Model == _model);

    ResultsLog(string path, string model, IReadOnlyList<string> genres, int top, bool force)
    {
        _top = top;
        _path = path;
        _model = model;
        _genres = genres;
        _csv = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Reports.StorageErrors.CreateDirectory(dir);
        var stream = new FileStream(path, force ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            DropUnfinishedLine(stream);
            if (stream.Length > 0) Read(stream);
            stream.Seek(0, SeekOrigin.End);
            _writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            if (_csv && stream.Length == 0) WriteLine(string.Join(",", Header.Select(Csv.Quote)));
        }
        catch { stream.Dispose(); throw; }
    }

    /// <summary>Opens (or creates) FILE; <paramref name="force"/> starts it afresh.</summary>
    /// <param name="top">How many genres the JSON lines list under "top" (as predict's --top).</param>
    public static ResultsLog Open(string path, string modelFingerprint, IReadOnlyList<string> genres, bool force, int top = 3)
    {
        try { return new ResultsLog(path, modelFingerprint, genres, top, force); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Reports.StorageErrors.Writing(path, e);
        }
    }

    IEnumerable<string> Header => new[] { "file", "genre", "probability", "vote_genre", "chunks", "seconds" }
        .Concat(_genres).Concat(["error", "model", "size", "mtime"]);

    /// <summary>True when FILE already holds this song, unchanged, classified by this model.</summary>
    public bool IsDone(string file, FileStamp stamp)
    {
        lock (_gate)
            return _entries.TryGetValue(Key(file), out var e) && !e.Failed && e.Model == _model
                && e.Size == stamp.Size && e.Modified == stamp.ModifiedText;
    }

    public void Song(SongPrediction p, FileStamp stamp)
    {
        string line;
        if (_csv)
            line = string.Join(",", new[] { Csv.Quote(p.File), Csv.Quote(p.Genre), Num(p.Probability, "F6"), Csv.Quote(p.VoteGenre),
                p.Chunks.ToString(CultureInfo.InvariantCulture), Num(p.Seconds, "F3") }
                .Concat(_genres.Select(g => Num(p.Probabilities[g], "F6")))
                .Concat(["", _model, stamp.Size.ToString(CultureInfo.InvariantCulture), stamp.ModifiedText]));
        else
        {
            var obj = PredictionJson.ToDictionary(p, _genres, _top, timeline: false);
            AddProvenance(obj, stamp);
            line = JsonSerializer.Serialize(obj);
        }
        Append(p.File, line, new Entry(_model, stamp.Size, stamp.ModifiedText, Failed: false));
    }

    public void Failure(string file, string error, FileStamp? stamp)
    {
        string line;
        if (_csv)
            line = string.Join(",", new[] { Csv.Quote(file) }.Concat(Enumerable.Repeat("", 5 + _genres.Count))
                .Concat([Csv.Quote(error), _model, stamp?.Size.ToString(CultureInfo.InvariantCulture) ?? "", stamp?.ModifiedText ?? ""]));
        else
        {
            var obj = new Dictionary<string, object?> { ["file"] = file, ["error"] = error };
            AddProvenance(obj, stamp);
            line = JsonSerializer.Serialize(obj);
        }
        Append(file, line, new Entry(_model, stamp?.Size, stamp?.ModifiedText, Failed: true));
    }

    void AddProvenance(Dictionary<string, object?> obj, FileStamp? stamp)
    {
        obj["model"] = _model;
        obj["size"] = stamp?.Size;
        obj["mtime"] = stamp?.ModifiedText;
    }

    void Append(string file, string line, Entry entry)
    {
        lock (_gate)
        {
            WriteLine(line);
            _entries[Key(file)] = entry;
        }
    }

    void WriteLine(string line)
    {
        try
        {
            _writer.Write(line);
            _writer.Write('\n');
            _writer.Flush(); // to the operating system: a killed process loses nothing already written
        }
        catch (IOException e)
        {
            _writeFailed = true;
            throw Reports.StorageErrors.Writing(_path, e);
        }
    }

    bool _writeFailed;

    static string Key(string file) => System.IO.Path.GetFullPath(file);
    static string Num(double v, string f) => v.ToString(f, CultureInfo.InvariantCulture);

    /// <summary>A line cut short by a crash is dropped, so the next line starts on a line of its own.</summary>
    static void DropUnfinishedLine(FileStream stream)
    {
        long end = stream.Length;
        if (end == 0) return;
        var buffer = new byte[4096];
        long pos = end;
        while (pos > 0)
        {
            int n = (int)Math.Min(buffer.Length, pos);
            pos -= n;
            stream.Seek(pos, SeekOrigin.Begin);
            stream.ReadExactly(buffer, 0, n);
            int i = Array.LastIndexOf(buffer, (byte)'\n', n - 1);
            if (i >= 0) { stream.SetLength(pos + i + 1); return; }
        }
        stream.SetLength(0);
    }

    void Read(FileStream stream)
    {
        stream.Seek(0, SeekOrigin.Begin);
        var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);
        if (_csv) ReadCsv(reader);
        else ReadJsonLines(reader);
    }

    void ReadJsonLines(TextReader reader)
    {
        foreach (var line in JsonLines(reader, _path, strict: false)) Remember(line);
    }

    void ReadCsv(TextReader reader)
    {
        foreach (var line in CsvLines(reader, _path, Header.ToList(), strict: false)) Remember(line);
    }

    void Remember(ResultLine line) => _entries[Key(line.File)] = new Entry(line.Model, line.Size, line.Modified, line.Error is not null);

    /// <summary>
    /// Every line of a results file (JSON Lines, or CSV when it ends in .csv), in order, for reading it back (`tag --from-results`).
    /// Strict: a line cut short or not written by `predict --results` is an error naming the file and the line, so that
    /// nothing is done from a damaged file.
    /// </summary>
    public static IReadOnlyList<ResultLine> ReadAll(string path)
    {
        if (!File.Exists(path)) throw new GenreException($"{path}: results file not found; write one with ./genre predict --model MODEL_DIR FOLDER --results {path}");
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return JsonLines(reader, path, strict: true).ToList();
        var header = Csv.Records(new StringReader(reader.ReadLine() + "\n")).FirstOrDefault()
            ?? throw new GenreException($"{path}: empty; write it with ./genre predict --results");
        return CsvLines(reader, path, header, strict: true, firstLine: 2).ToList();
    }

    static IEnumerable<ResultLine> JsonLines(TextReader reader, string path, bool strict)
    {
        int number = 0;
        for (string? text; (text = reader.ReadLine()) is not null;)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            ResultLine? line = null;
            try
            {
                using var doc = JsonDocument.Parse(text);
                var root = doc.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("file", out var file) && file.GetString() is { } name)
                    line = new ResultLine(number, name,
                        root.TryGetProperty("genre", out var g) ? g.GetString() : null,
                        root.TryGetProperty("probability", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : null,
                        root.TryGetProperty("model", out var m) ? m.GetString() ?? "" : "",
                        root.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null,
                        root.TryGetProperty("mtime", out var t) ? t.GetString() : null,
                        root.TryGetProperty("error", out var e) ? e.GetString() ?? "error" : null);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException) { } // not one of our lines
            if (line is not null && (line.Error is not null || line.Genre is not null && line.Probability is not null)) yield return line;
            else if (strict) throw new GenreException($"{path}: line {number} is cut short or not a results line; run ./genre predict --results {path} again to complete it");
        }
    }

    static IEnumerable<ResultLine> CsvLines(TextReader reader, string path, IReadOnlyList<string> header, bool strict, int firstLine = 1)
    {
        using var records = Csv.Records(reader).GetEnumerator();
        if (firstLine == 1)
        {
            if (!records.MoveNext()) yield break;
            if (!records.Current.SequenceEqual(header))
                throw new GenreException($"{path}: its columns ({string.Join(",", records.Current)}) are not those of this model's results; use another --results file or --force to start it afresh");
        }
        else if (header.Count < 10 || header[0] != "file" || header[1] != "genre" || header[2] != "probability" || header[^4] != "error")
            throw new GenreException($"{path}: not a results file of ./genre predict --results (its header is {string.Join(",", header)})");
        int error = header.Count - 4, number = firstLine - 1;
        while (records.MoveNext())
        {
            number++;
            var r = records.Current;
            bool failed = r.Count == header.Count && r[error].Length > 0;
            bool ok = r.Count == header.Count && (failed || r[1].Length > 0 && double.TryParse(r[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _));
            if (!ok)
            {
                if (strict) throw new GenreException($"{path}: line {number} is cut short or not a results line; run ./genre predict --results {path} again to complete it");
                continue;
            }
            yield return new ResultLine(number, r[0], failed ? null : r[1], failed ? null : double.Parse(r[2], CultureInfo.InvariantCulture), r[error + 1],
                long.TryParse(r[error + 2], CultureInfo.InvariantCulture, out long size) ? size : null, r[error + 3], failed ? r[error] : null);
        }
    }

    /// <summary>Closes the file. After a failed write the line still buffered fails again here; that failure was already
    /// reported (and its song is not in the file, so the next run classifies it again).</summary>
    public void Dispose()
    {
        try { _writer.Dispose(); }
        catch (IOException e) when (!_writeFailed) { throw Reports.StorageErrors.Writing(_path, e); }
        catch (IOException) { }
    }
}
