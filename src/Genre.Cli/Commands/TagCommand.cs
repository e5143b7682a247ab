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
        var fromResults = new Option<string?>("--from-results")
        {
            Description = "Tag from a results file of predict --results, without running the network; songs that changed since they were classified are skipped",
            HelpName = "FILE",
        };
        var precision = SharedOptions.Precision();
        var cmd = new Command("tag", "Write the predicted genre into each song's tags (ID3v2, Vorbis comments, MP4, RIFF INFO)")
            { model, paths, dryRun, minConfidence, field, journal, undo, fromResults, precision };
        cmd.SetAction(r =>
        {
            if (r.GetValue(undo) is { } undoJournal)
            {
                if (r.GetValue(paths) is { Length: > 0 } || r.GetValue(model) is not null || r.GetValue(fromResults) is not null)
                    throw new UsageException("--undo JOURNAL takes no --model, --from-results or folders");
                return Undo(undoJournal);
            }
            double p = r.GetValue(minConfidence);
            if (p is < 0 or > 1 || double.IsNaN(p)) throw new UsageException($"--min-confidence {p}: choose a probability between 0 and 1");
            var tagField = Enum.Parse<TagField>(r.GetValue(field)!, ignoreCase: true);
            if (r.GetValue(fromResults) is { } results)
            {
                if (r.GetValue(paths) is { Length: > 0 }) throw new UsageException("--from-results FILE names the songs; give no FOLDER");
                return TagFromResults(results, r.GetValue(model), r.GetValue(dryRun), p, tagField, r.GetValue(journal) ?? DefaultJournal(results));
            }
            if (r.GetValue(model) is not { } modelDir) throw new UsageException("--model MODEL_DIR is required (or --from-results FILE, or --undo JOURNAL)");
            if (r.GetValue(paths) is not { Length: > 0 } folders) throw new UsageException("name at least one FOLDER to tag");
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
        var run = new TagRun(dryRun, minConfidence, field, journalPath);
        bool showProgress = SongRun.ManySongs(paths) && (Console.IsOutputRedirected || !Ui.Interactive);
        int found = SongRun.Classify(predictor, paths, skip: (_, _) => false, finished: (outcome, stamp) =>
        {
            if (outcome.Prediction is not { } p) run.Fail(outcome.Error ?? $"{outcome.File}: vanished while it was read");
            else run.Consider(p.File, p.Genre, p.Probability, stamp);
        }, showProgress);
        return run.Finish(found);
    }

    /// <summary>
    /// Tags from a results file: no network, each song's genre and probability as the file has them (its last line per song).
    /// A song that changed or went missing since it was classified is skipped and reported; a file that mixes models, or was
    /// written by another model than --model, or holds a damaged line, is refused before anything changes.
    /// </summary>
    static int TagFromResults(string resultsPath, string? modelDir, bool dryRun, double minConfidence, TagField field, string journalPath)
    {
        var latest = new Dictionary<string, ResultLine>(StringComparer.Ordinal);
        foreach (var line in ResultsLog.ReadAll(resultsPath)) latest[Path.GetFullPath(line.File)] = line;
        var models = latest.Values.Select(l => l.Model).Distinct().ToList();
        if (modelDir is not null)
        {
            var mine = Enum.GetValues<Genre.Model.Precision>().Select(p => ModelFingerprint.Of(modelDir, p.ToString())).ToHashSet();
            if (models.FirstOrDefault(m => !mine.Contains(m)) is { } other)
                throw new GenreException($"{resultsPath}: written by another model (fingerprint {other}) than {modelDir}; " +
                    $"classify with it first (./genre predict --model {modelDir} FOLDER --results FILE), or tag without --model");
        }
        else if (models.Count > 1)
            throw new GenreException($"{resultsPath}: holds the results of {models.Count} models ({string.Join(", ", models)}); give --model MODEL_DIR to say whose to use");
        if (!dryRun)
            foreach (var leftover in Tagger.RemoveLeftovers(latest.Keys.Select(Path.GetDirectoryName).OfType<string>().Distinct().Where(Directory.Exists)))
                Ui.Info($"{leftover}: removed (a copy left by an interrupted run)");
        var run = new TagRun(dryRun, minConfidence, field, journalPath);
        foreach (var (file, line) in latest.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Interrupt.Token.ThrowIfCancellationRequested();
            if (line.Error is not null) { run.Fail($"{file}: was not classified ({line.Error}); skipped"); continue; }
            if (!File.Exists(file)) { run.Fail($"{file}: missing since it was classified (line {line.LineNumber} of {resultsPath}); skipped"); continue; }
            var stamp = FileStamp.Of(file);
            if (stamp.Size != line.Size || stamp.ModifiedText != line.Modified)
            {
                if (run.TaggedEarlier(file, line.Genre!)) continue;
                run.Fail($"{file}: changed since it was classified (line {line.LineNumber} of {resultsPath}); skipped: run ./genre predict --results {resultsPath} again for it");
                continue;
            }
            run.Consider(file, line.Genre!, line.Probability!.Value, stamp);
        }
        return run.Finish(latest.Count);
    }

    /// <summary>One tagging run: what each song gets, written in batches whose previous values reach the journal first.</summary>
    sealed class TagRun(bool dryRun, double minConfidence, TagField field, string journalPath)
    {
        readonly TagJournal? _journal = dryRun ? null : TagJournal.OpenOrCreate(journalPath);
        readonly List<Planned> _planned = []; // dry run: all; otherwise the batch whose previous values are not yet in the journal
        readonly List<(string File, string Genre, double Probability)> _below = [];
        readonly Stopwatch _sinceSave = Stopwatch.StartNew();
        int _tagged, _unchanged, _failed;

        public void Fail(string message) { Ui.Error(message); _failed++; }

        HashSet<string>? _written;

        /// <summary>
        /// Whether an earlier run with this journal wrote <paramref name="genre"/> into the file and the file still holds it
        /// (then it counts as already right). Tagging changes a file's size, so without this a second run from the same
        /// results file would report every song it tagged as changed since it was classified.
        /// </summary>
        public bool TaggedEarlier(string file, string genre)
        {
            _written ??= ((_journal ?? (File.Exists(journalPath) ? TagJournal.Load(journalPath) : null))?.Changes ?? [])
                .Where(c => c.Field == field).Select(c => c.File + "\n" + c.Value).ToHashSet(StringComparer.Ordinal);
            if (!_written.Contains(Path.GetFullPath(file) + "\n" + genre)) return false;
            try
            {
                if (!string.Equals(Tagger.Read(file, field).Shown, genre, StringComparison.OrdinalIgnoreCase)) return false;
            }
            catch (GenreException) { return false; }
            _unchanged++;
            return true;
        }

        /// <summary>A song and its genre: left alone below the threshold or when already right, otherwise planned.</summary>
        public void Consider(string file, string genre, double probability, FileStamp? stamp)
        {
            if (probability < minConfidence) { _below.Add((file, genre, probability)); return; }
            try
            {
                var before = Tagger.Read(file, field);
                if (string.Equals(before.Shown, genre, StringComparison.OrdinalIgnoreCase)) { _unchanged++; return; } // "Jazz" is right too
                if (stamp is null) throw new GenreException($"{file}: vanished while it was read");
                _planned.Add(new Planned(file, before, genre, probability, stamp));
            }
            catch (GenreException e) { Fail(e.Message); return; }
            if (_planned.Count >= Math.Max(16, (_journal?.Changes.Count ?? 0) / 8) || _sinceSave.Elapsed.TotalSeconds > 2) Commit();
        }

        // Previous values reach the journal on disk before any file of the batch changes. Batches grow with the journal
        // (an eighth of it) so that rewriting it stays a small share of the work however many songs there are.
        void Commit()
        {
            if (_journal is null || _planned.Count == 0) return;
            foreach (var c in _planned) _journal.Add(new TagChange(Path.GetFullPath(c.File), field, c.Before, c.Value));
            _journal.Save();
            foreach (var c in _planned)
            {
                try
                {
                    Tagger.Write(c.File, field, c.Value, c.Stamp);
                    Console.Out.WriteLine($"{c.File}: {Tagger.Name(field)} {Shown(c.Before.Shown)} -> '{c.Value}' ({Pct(c.Confidence)})");
                    Console.Out.Flush();
                    _tagged++;
                }
                catch (GenreException e) { Fail(e.Message); }
            }
            _planned.Clear();
            _sinceSave.Restart();
        }

        public int Finish(int found)
        {
            Commit();
            if (dryRun) PrintPlan(_planned, field);
            if (_below.Count > 0)
            {
                Ui.Info($"{_below.Count} song(s) below --min-confidence {Pct(minConfidence)}, left alone:");
                foreach (var (file, genre, probability) in _below.OrderBy(b => b.File, StringComparer.Ordinal)) Ui.Info($"  {file}: {genre} {Pct(probability)}");
            }
            string verb = dryRun ? "would tag" : "tagged";
            Ui.Info($"{found} song(s): {verb} {(dryRun ? _planned.Count : _tagged)}, {_unchanged} already right, {_below.Count} below the threshold, {_failed} failed");
            if (_journal is { Changes.Count: > 0 }) Ui.Info($"journal: {_journal.Path} (undo with ./genre tag --undo {_journal.Path})");
            return _failed > 0 ? ExitCode.SomeFilesFailed : ExitCode.Ok;
        }
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
