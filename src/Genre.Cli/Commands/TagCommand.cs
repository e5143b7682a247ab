using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Genre.Library;
using Genre.Prediction;
using Spectre.Console;

namespace Genre.Cli.Commands;

/// <summary>`genre tag`: writes each song's predicted genre into its own tags, safely, with a journal to undo it.</summary>
public static class TagCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model(required: false);
        var paths = new Argument<string[]>("FOLDER") { Description = "Music folders (searched recursively) or files", Arity = ArgumentArity.ZeroOrMore };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the planned changes (file, old value, new value, confidence) and touch nothing" };
        var minConfidence = new Option<double>("--min-confidence") { Description = "Leave songs whose top probability is below P alone (they are listed)", DefaultValueFactory = _ => 0.5, HelpName = "P" };
        var field = new Option<string>("--field") { Description = "The tag field to write: genre (default) or comment", DefaultValueFactory = _ => "genre" };
        field.OneOf("genre", "comment");
        var journal = new Option<string?>("--journal") { Description = $"Where to record the previous values (default: {TagJournal.DefaultName} in the first folder)", HelpName = "FILE" };
        var undo = new Option<string?>("--undo") { Description = "Put back the values recorded in JOURNAL", HelpName = "JOURNAL" };
        var precision = SharedOptions.Precision();
        var cmd = new Command("tag", "Write the predicted genre into each song's tags (ID3v2, Vorbis comments, MP4, RIFF INFO)")
            { model, paths, dryRun, minConfidence, field, journal, undo, precision };
        cmd.SetAction(r =>
        {
            if (r.GetValue(undo) is { } undoJournal)
            {
                if (r.GetValue(paths) is { Length: > 0 } || r.GetValue(model) is not null) throw new UsageException("--undo JOURNAL takes no --model and no folders");
                return Undo(undoJournal);
            }
            if (r.GetValue(model) is not { } modelDir) throw new UsageException("--model MODEL_DIR is required (or --undo JOURNAL)");
            if (r.GetValue(paths) is not { Length: > 0 } folders) throw new UsageException("name at least one FOLDER to tag");
            double p = r.GetValue(minConfidence);
            if (p is < 0 or > 1 || double.IsNaN(p)) throw new UsageException($"--min-confidence {p}: choose a probability between 0 and 1");
            var tagField = Enum.Parse<TagField>(r.GetValue(field)!, ignoreCase: true);
            return Tag(modelDir, r.GetValue(precision)!, folders, r.GetValue(dryRun), p, tagField, r.GetValue(journal) ?? DefaultJournal(folders[0]));
        });
        return cmd;
    }

    static string DefaultJournal(string path) =>
        Path.Combine(Directory.Exists(path) ? path : Path.GetDirectoryName(Path.GetFullPath(path))!, TagJournal.DefaultName);

    sealed record Planned(string File, TagSnapshot Before, string Value, double Confidence, FileStamp Stamp);

    static int Tag(string modelDir, string precision, IReadOnlyList<string> paths, bool dryRun, double minConfidence, TagField field, string journalPath)
    {
        SongRun.CheckPaths(paths);
        if (!dryRun)
            foreach (var leftover in Tagger.RemoveLeftovers(paths)) Ui.Info($"{leftover}: removed (a copy left by an interrupted run)");
        using var model = PredictCommand.LoadModel(modelDir, precision);
        var predictor = new Predictor(model);
        var journal = dryRun ? null : TagJournal.OpenOrCreate(journalPath);
        var planned = new List<Planned>(); // dry run: all; otherwise the batch whose previous values are not yet in the journal
        var below = new List<SongPrediction>();
        int tagged = 0, unchanged = 0, failed = 0;
        var sinceSave = Stopwatch.StartNew();

        void Fail(string message) { Ui.Error(message); failed++; }

        // Previous values reach the journal on disk before any file of the batch changes. Batches grow with the journal
        // (an eighth of it) so that rewriting it stays a small share of the work however many songs there are.
        void Commit()
        {
            if (journal is null || planned.Count == 0) return;
            foreach (var c in planned) journal.Add(new TagChange(Path.GetFullPath(c.File), field, c.Before, c.Value));
            journal.Save();
            foreach (var c in planned)
            {
                try
                {
                    Tagger.Write(c.File, field, c.Value, c.Stamp);
                    Console.Out.WriteLine($"{c.File}: {Tagger.Name(field)} {Shown(c.Before.Shown)} -> '{c.Value}' ({Pct(c.Confidence)})");
                    Console.Out.Flush();
                    tagged++;
                }
                catch (GenreException e) { Fail(e.Message); }
            }
            planned.Clear();
            sinceSave.Restart();
        }

        bool showProgress = SongRun.ManySongs(paths) && (Console.IsOutputRedirected || !Ui.Interactive);
        int found = SongRun.Classify(predictor, paths, skip: (_, _) => false, finished: (outcome, stamp) =>
        {
            if (outcome.Prediction is not { } p) { Fail(outcome.Error ?? $"{outcome.File}: vanished while it was read"); return; }
            if (p.Probability < minConfidence) { below.Add(p); return; }
            try
            {
                var before = Tagger.Read(p.File, field);
                if (string.Equals(before.Shown, p.Genre, StringComparison.OrdinalIgnoreCase)) { unchanged++; return; } // "Jazz" is right too
                if (stamp is null) throw new GenreException($"{p.File}: vanished while it was read");
                planned.Add(new Planned(p.File, before, p.Genre, p.Probability, stamp));
            }
            catch (GenreException e) { Fail(e.Message); return; }
            if (planned.Count >= Math.Max(16, (journal?.Changes.Count ?? 0) / 8) || sinceSave.Elapsed.TotalSeconds > 2) Commit();
        }, showProgress);
        Commit();

        if (dryRun) PrintPlan(planned, field);
        if (below.Count > 0)
        {
            Ui.Info($"{below.Count} song(s) below --min-confidence {Pct(minConfidence)}, left alone:");
            foreach (var p in below.OrderBy(p => p.File, StringComparer.Ordinal)) Ui.Info($"  {p.File}: {p.Genre} {Pct(p.Probability)}");
        }
        string verb = dryRun ? "would tag" : "tagged";
        Ui.Info($"{found} song(s): {verb} {(dryRun ? planned.Count : tagged)}, {unchanged} already right, {below.Count} below the threshold, {failed} failed");
        if (journal is { Changes.Count: > 0 }) Ui.Info($"journal: {journal.Path} (undo with ./genre tag --undo {journal.Path})");
        return failed > 0 ? ExitCode.SomeFilesFailed : ExitCode.Ok;
    }

    static void PrintPlan(IReadOnlyList<Planned> plan, TagField field)
    {
        if (plan.Count == 0) return;
        var table = new Table().AddColumns("file", $"old {Tagger.Name(field)}", $"new {Tagger.Name(field)}", "confidence");
        foreach (var c in plan.OrderBy(c => c.File, StringComparer.Ordinal))
            table.AddRow(Markup.Escape(c.File), Markup.Escape(c.Before.Shown ?? "(none)"), Markup.Escape(c.Value), Pct(c.Confidence));
        Ui.Out.Write(table);
    }

    static int Undo(string journalPath)
    {
        var journal = TagJournal.Load(journalPath);
        int restored = 0, failed = 0;
        try
        {
            foreach (var change in journal.Changes.ToList())
            {
                Interrupt.Token.ThrowIfCancellationRequested();
                try
                {
                    Tagger.Restore(change.File, change.Field, change.Before, change.Value);
                    Console.Out.WriteLine($"{change.File}: {Tagger.Name(change.Field)} '{change.Value}' -> {Shown(change.Before.Shown)} (restored)");
                    journal.Remove(change);
                    restored++;
                }
                catch (GenreException e) { Ui.Error(e.Message); failed++; }
            }
        }
        finally { journal.Save(); } // an interrupted undo can be run again: restored files are recognised and skipped
        Ui.Info($"{restored} file(s) restored, {failed} failed" + (failed > 0 ? $"; their entries stay in {journalPath}" : $"; {journalPath} removed"));
        return failed > 0 ? ExitCode.SomeFilesFailed : ExitCode.Ok;
    }

    static string Shown(string? value) => value is null ? "(none)" : $"'{value}'";
    static string Pct(double p) => (p * 100).ToString("F1", CultureInfo.InvariantCulture) + "%";
}
