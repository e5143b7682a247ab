using System.Globalization;
using System.Text.Json;
using Genre.Prediction;

namespace Genre.Cli;

/// <summary>Writes predictions as they finish: an aligned table, JSON Lines, or CSV.</summary>
public abstract class PredictionWriter(TextWriter output, IReadOnlyList<string> genres, int top, bool timeline)
{
    protected TextWriter Output => output;
    protected IReadOnlyList<string> Genres => genres;
    protected int TopN => Math.Min(top, genres.Count);
    protected bool Timeline => timeline;

    public static PredictionWriter Create(string format, TextWriter output, IReadOnlyList<string> genres, int top, bool timeline) => format switch
    {
        "json" => new JsonWriter(output, genres, top, timeline),
        "csv" => new CsvWriter(output, genres, top, timeline),
        _ => new TableWriter(output, genres, top, timeline),
    };

    public virtual void Begin() { }
    public abstract void Song(SongPrediction p);
    public abstract void Failure(string file, string error);
    public virtual void End() { }

    protected static string Pct(double p) => (p * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
    protected static string Num(double v, string f = "F4") => v.ToString(f, CultureInfo.InvariantCulture);

    sealed class TableWriter(TextWriter o, IReadOnlyList<string> g, int t, bool tl) : PredictionWriter(o, g, t, tl)
    {
        public override void Song(SongPrediction p)
        {
            string topList = string.Join(", ", p.Top(TopN).Select(kv => $"{kv.Key} {Pct(kv.Value)}"));
            string vote = p.VoteGenre != p.Genre ? $"  (chunk vote: {p.VoteGenre})" : "";
            string trust = p.Confidence is { } t ? $"  {t.Verdict} (agreement {Pct(t.Agreement)}, spread {Num(t.Spread, "F2")})" : "";
            Output.WriteLine($"{p.File}: {p.Genre} {Pct(p.Probability)}  [{topList}]  {p.Chunks} chunks, {Num(p.Seconds, "F1")} s{trust}{vote}");
            if (Timeline)
                foreach (var c in p.Timeline)
                    Output.WriteLine($"    {Num(c.Start, "F1"),6}-{Num(c.End, "F1"),6} s  {c.Genre} {Pct(c.Probability)}");
        }
        public override void Failure(string file, string error) => Output.WriteLine($"{file}: ERROR {error}");
    }

    sealed class JsonWriter(TextWriter o, IReadOnlyList<string> g, int t, bool tl) : PredictionWriter(o, g, t, tl)
    {
        static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        public override void Song(SongPrediction p) =>
            Output.WriteLine(JsonSerializer.Serialize(PredictionJson.ToDictionary(p, Genres, TopN, Timeline), Options));
        public override void Failure(string file, string error) => Output.WriteLine(JsonSerializer.Serialize(new { file, error }));
    }

    sealed class CsvWriter(TextWriter o, IReadOnlyList<string> g, int t, bool tl) : PredictionWriter(o, g, t, tl)
    {
        public override void Begin() => Output.WriteLine("file,genre,probability,vote_genre,chunks,seconds,spread,agreement,verdict," +
            string.Join(",", Genres.Select(Quote)) + ",error");
        public override void Song(SongPrediction p) =>
            Output.WriteLine($"{Quote(p.File)},{Quote(p.Genre)},{Num(p.Probability, "F6")},{Quote(p.VoteGenre)},{p.Chunks},{Num(p.Seconds, "F3")}," +
                (p.Confidence is { } c ? $"{Num(c.Spread, "F6")},{Num(c.Agreement, "F6")},{c.Verdict}," : ",,,") +
                string.Join(",", Genres.Select(x => Num(p.Probabilities[x], "F6"))) + ",");
        public override void Failure(string file, string error) => Output.WriteLine($"{Quote(file)},,,,,,,,,{new string(',', Genres.Count - 1)},{Quote(error)}");
        static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
    }
}
