using System.Text.Json;
using Genre.Library;
using Genre.Tests.Cli;

namespace Genre.Tests.Library;

/// <summary>`predict --results` and `genre tag` as a user runs them: the real program in a child process.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // permissions are set as Unix modes
public class LibraryCommandTests(TinyModel tiny) : IClassFixture<TinyModel>
{
    /// <summary>A music folder of <paramref name="count"/> copies of the synthetic songs (WAV, no tags).</summary>
    string Music(TempDir dir, int count)
    {
        string folder = dir.File("music");
        Directory.CreateDirectory(folder);
        foreach (var song in tiny.Data.Dataset.Songs.Take(count))
            File.Copy(song.Path, Path.Combine(folder, Path.GetFileName(song.Path)));
        return folder;
    }

    static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void The_pipeline_classifies_songs_while_files_are_still_being_discovered()
    {
        using var model = Genre.Model.ModelStore.Load(tiny.ModelDir);
        var predictor = new Genre.Prediction.Predictor(model);
        var songs = tiny.Data.Dataset.Songs.Take(3).Select(s => s.Path).ToList();
        using var firstDone = new ManualResetEventSlim();
        IEnumerable<string> Discover()
        {
            yield return songs[0];
            // a lister that waits for a result before naming more files: a pipeline that lists everything first would hang here
            Assert.True(firstDone.Wait(TimeSpan.FromSeconds(60)), "no song was classified before discovery ended");
            yield return songs[1];
            yield return "/nonexistent/song.wav";
            yield return songs[2];
        }
        var outcomes = new List<Genre.Prediction.SongOutcome>();
        Genre.Prediction.PredictionPipeline.Run(predictor, Discover(), skip: f => f == songs[2],
            finished: o => { outcomes.Add(o); firstDone.Set(); }, workers: 2);
        Assert.Equal(4, outcomes.Count);
        Assert.Equal(songs[0], outcomes[0].File);
        Assert.Equal(2, outcomes.Count(o => o.Prediction is not null));
        Assert.Contains("/nonexistent/song.wav", outcomes.Single(o => o.Error is not null).Error);
        Assert.True(outcomes.Single(o => o.File == songs[2]).Skipped);
    }

    [Fact]
    public void Predict_results_are_resumed_per_model_and_file_and_forced_again()
    {
        using var dir = new TempDir();
        string music = Music(dir, 5), results = dir.File("out/results.jsonl");
        File.WriteAllText(Path.Combine(music, "notes.wav"), "not audio");
        string[] predict = ["predict", "--model", tiny.ModelDir, "--format", "json", music, "--results", results];

        var first = CliProcess.Run(predict);
        Assert.Equal(1, first.ExitCode); // notes.wav failed
        Assert.Contains("6 song(s) classified, 0 already there", first.Err);
        var lines = Lines(File.ReadAllText(results)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, lines.Count);
        string fingerprint = lines[0].GetProperty("model").GetString()!; // of the weights, settings and precision
        Assert.Matches("^[0-9a-f]{16}$", fingerprint);
        Assert.All(lines, l => Assert.Equal(fingerprint, l.GetProperty("model").GetString()));
        Assert.Contains(fingerprint, new[] { "fp32", "bf16" }.Select(p => ModelFingerprint.Of(tiny.ModelDir, p[..1].ToUpperInvariant() + p[1..])));
        Assert.Single(lines, l => l.TryGetProperty("error", out _));
        var good = lines.First(l => !l.TryGetProperty("error", out _));
        Assert.Contains(good.GetProperty("genre").GetString(), tiny.Data.Dataset.Genres);
        Assert.Equal(new FileInfo(good.GetProperty("file").GetString()!).Length, good.GetProperty("size").GetInt64());

        var second = CliProcess.Run(predict);
        Assert.Contains("1 song(s) classified, 5 already there", second.Err); // only the failure is retried
        Assert.Single(Lines(second.Out));

        File.SetLastWriteTimeUtc(Directory.GetFiles(music, "*.wav").Order().First(), DateTime.UtcNow.AddMinutes(-5));
        Assert.Contains("2 song(s) classified, 4 already there", CliProcess.Run(predict).Err);

        var forced = CliProcess.Run([.. predict, "--force"]);
        Assert.Contains("6 song(s) classified, 0 already there", forced.Err);
        Assert.Equal(6, Lines(File.ReadAllText(results)).Length);

        var csv = CliProcess.Run("predict", "--model", tiny.ModelDir, music, "--results", dir.File("results.csv"));
        Assert.Equal(1, csv.ExitCode);
        Assert.StartsWith("file,genre,probability,vote_genre,chunks,seconds,", File.ReadAllText(dir.File("results.csv")));
        Assert.Equal(7, Lines(File.ReadAllText(dir.File("results.csv"))).Length);
    }

    [Fact]
    public void Tag_from_results_tags_without_the_network_and_skips_songs_that_changed_or_went_missing()
    {
        using var dir = new TempDir();
        string music = Music(dir, 5), results = dir.File("results.jsonl");
        var classified = CliProcess.Run("predict", "--model", tiny.ModelDir, music, "--results", results, "--format", "json");
        Assert.True(classified.ExitCode == 0, classified.Err);
        var genreOf = Lines(classified.Out).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(l => Path.GetFileName(l.GetProperty("file").GetString()!), l => l.GetProperty("genre").GetString());
        var files = Directory.GetFiles(music).Order().ToList();
        File.AppendAllText(files[0], "x");                // changed since it was classified
        File.Delete(files[1]);                              // missing since
        string journal = dir.File(TagJournal.DefaultName); // next to the results file by default

        var dry = CliProcess.Run("tag", "--from-results", results, "--dry-run", "--min-confidence", "0");
        Assert.Equal(1, dry.ExitCode);
        Assert.Contains("would tag 3", dry.Err);
        Assert.DoesNotContain("precision", dry.Err); // no network was loaded
        Assert.False(File.Exists(journal));

        var run = CliProcess.Run("tag", "--from-results", results, "--min-confidence", "0");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{files[0]}: changed since it was classified", run.Err);
        Assert.Contains($"{files[1]}: missing since it was classified", run.Err);
        Assert.Contains("tagged 3", run.Err);
        Assert.Null(Tagger.Read(files[0], TagField.Genre).Shown);
        foreach (var f in files.Skip(2)) Assert.Equal(genreOf[Path.GetFileName(f)], Tagger.Read(f, TagField.Genre).Shown);
        Assert.True(File.Exists(journal));
        // tagging changed their sizes; a second run recognises its own tags instead of calling the songs changed
        var again = CliProcess.Run("tag", "--from-results", results, "--min-confidence", "0");
        Assert.Contains("tagged 0, 3 already right", again.Err);
        Assert.Single(again.Err.Split('\n'), l => l.Contains("changed since it was classified"));
        var undo = CliProcess.Run("tag", "--undo", journal);
        Assert.True(undo.ExitCode == 0, undo.Err);
        foreach (var f in files.Skip(2)) Assert.Null(Tagger.Read(f, TagField.Genre).Shown);
    }

    [Fact]
    public void Tag_from_results_refuses_another_models_file_a_cut_line_and_a_mix_of_models_touching_nothing()
    {
        using var dir = new TempDir();
        string music = Music(dir, 2), results = dir.File("results.jsonl");
        Assert.Equal(0, CliProcess.Run("predict", "--model", tiny.ModelDir, music, "--results", results).ExitCode);
        var files = Directory.GetFiles(music).Order().ToList();
        var original = files.ToDictionary(f => f, File.ReadAllBytes);
        string text = File.ReadAllText(results);

        // another model: a copy whose settings differ has another fingerprint
        string other = dir.File("other-model");
        Directory.CreateDirectory(other);
        foreach (var f in Directory.EnumerateFiles(tiny.ModelDir)) File.Copy(f, Path.Combine(other, Path.GetFileName(f)));
        File.AppendAllText(Path.Combine(other, "config.json"), "\n");
        var wrongModel = CliProcess.Run("tag", "--from-results", results, "--model", other);
        Assert.Equal(3, wrongModel.ExitCode);
        Assert.Contains("written by another model", wrongModel.Err);
        Assert.Single(wrongModel.Err.Trim().Split('\n'));
        Assert.Equal(0, CliProcess.Run("tag", "--from-results", results, "--model", tiny.ModelDir, "--dry-run").ExitCode);

        File.WriteAllText(results, text + text.Split('\n')[0][..40] + "\n"); // a line cut short in the middle of the file
        File.AppendAllText(results, text.Split('\n')[1] + "\n");
        var cut = CliProcess.Run("tag", "--from-results", results);
        Assert.Equal(3, cut.ExitCode);
        Assert.Contains("line 3 is cut short", cut.Err);

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        File.WriteAllText(results, lines[0] + "\n" + lines[1].Replace("\"model\":\"", "\"model\":\"0") + "\n"); // the two songs by two models
        var mixed = CliProcess.Run("tag", "--from-results", results);
        Assert.Equal(3, mixed.ExitCode);
        Assert.Contains("holds the results of 2 models", mixed.Err);

        var missing = CliProcess.Run("tag", "--from-results", dir.File("none.jsonl"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("results file not found", missing.Err);
        Assert.All(files, f => Assert.Equal(original[f], File.ReadAllBytes(f)));
        Assert.False(File.Exists(dir.File(TagJournal.DefaultName)));
    }

    [Fact]
    public void Tag_dry_run_touches_nothing_then_tag_and_undo_restore_every_file()
    {
        using var dir = new TempDir();
        string music = Music(dir, 4);
        FfmpegTool.Ffmpeg("-i", tiny.Data.Dataset.Songs[5].Path, "-metadata", "genre=Old Favourite", Path.Combine(music, "tagged.mp3"));
        string locked = Path.Combine(music, "locked.wav");
        File.Copy(tiny.Data.Dataset.Songs[6].Path, locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead);
        var files = Directory.GetFiles(music).Order().ToList();
        var original = files.ToDictionary(f => f, File.ReadAllBytes);
        string journal = Path.Combine(music, TagJournal.DefaultName);

        var dry = CliProcess.Run("tag", "--model", tiny.ModelDir, music, "--dry-run", "--min-confidence", "0");
        Assert.True(dry.ExitCode == 0, dry.Err);
        Assert.Contains("old genre", dry.Out);
        Assert.Contains("Old Favourite", dry.Out);
        Assert.All(files, f => Assert.Contains(Path.GetFileName(f), dry.Out));
        Assert.Contains("would tag 6", dry.Err);
        Assert.All(files, f => Assert.Equal(original[f], File.ReadAllBytes(f)));
        Assert.False(File.Exists(journal));

        var shy = CliProcess.Run("tag", "--model", tiny.ModelDir, music, "--dry-run", "--min-confidence", "1");
        Assert.Contains("below --min-confidence 100.0%, left alone", shy.Err);

        var run = CliProcess.Run("tag", "--model", tiny.ModelDir, music, "--min-confidence", "0");
        Assert.Equal(1, run.ExitCode); // the read-only file
        Assert.Contains("locked.wav: is read-only", run.Err);
        Assert.Equal(original[locked], File.ReadAllBytes(locked));
        Assert.Contains("'Old Favourite' -> '", run.Out);
        foreach (var f in files.Where(f => f != locked))
            Assert.Contains(Tagger.Read(f, TagField.Genre).Shown, tiny.Data.Dataset.Genres);
        Assert.True(File.Exists(journal));

        var undo = CliProcess.Run("tag", "--undo", journal);
        Assert.True(undo.ExitCode == 0, undo.Err);
        Assert.Contains("(restored)", undo.Out);
        Assert.Equal("Old Favourite", Tagger.Read(Path.Combine(music, "tagged.mp3"), TagField.Genre).Shown);
        foreach (var f in files.Where(f => f.EndsWith(".wav")))
        {
            Assert.Null(Tagger.Read(f, TagField.Genre).Shown);
            Assert.Equal(original[f], File.ReadAllBytes(f)); // no INFO list before, none after
        }
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public async Task A_tag_run_killed_midway_leaves_every_file_untouched_or_fully_tagged()
    {
        using var dir = new TempDir();
        string music = Music(dir, 10);
        var files = Directory.GetFiles(music).Order().ToList();
        var original = files.ToDictionary(f => f, File.ReadAllBytes);
        var delay = new Dictionary<string, string> { ["GENRE_TEST_STEP_DELAY_MS"] = "150" }; // each chunk, and each file before its rename

        using (var p = CliProcess.Start(delay, "tag", "--model", tiny.ModelDir, music, "--min-confidence", "0"))
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string? line;
            do line = await p.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)); while (line is not null && !line.Contains(" -> "));
            if (line is null) Assert.Fail("the run ended before tagging a file: " + await stderr);
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }

        int tagged = 0;
        foreach (var f in files)
        {
            string? genre = Tagger.Read(f, TagField.Genre).Shown; // every file still parses
            if (genre is null) Assert.Equal(original[f], File.ReadAllBytes(f));
            else
            {
                Assert.Contains(genre, tiny.Data.Dataset.Genres);
                Assert.Equal(FfmpegTool.AudioMd5Of(original[f], dir), FfmpegTool.AudioMd5(f));
                tagged++;
            }
        }
        Assert.InRange(tagged, 1, files.Count - 1);
        bool leftover = Directory.GetFiles(music, "*" + Tagger.TempSuffix).Length > 0; // killed between copy and rename

        var again = CliProcess.Run("tag", "--model", tiny.ModelDir, music, "--min-confidence", "0");
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Empty(Directory.GetFiles(music, "*" + Tagger.TempSuffix));
        if (leftover) Assert.Contains("removed (a copy left by an interrupted run)", again.Err);
        Assert.All(files, f => Assert.NotNull(Tagger.Read(f, TagField.Genre).Shown));

        var undo = CliProcess.Run("tag", "--undo", Path.Combine(music, TagJournal.DefaultName));
        Assert.True(undo.ExitCode == 0, undo.Err);
        Assert.All(files, f => Assert.Equal(original[f], File.ReadAllBytes(f)));
    }
}
