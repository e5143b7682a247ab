using System.Text.Json;
using Genre.Data;
using Genre.Tests.Cli;
using Genre.Tests.Web;

namespace Genre.Tests.Interop;

/// <summary>The three commands and --backend onnx, through the real `genre` program.</summary>
public class InteropCliTests
{
    static Dictionary<string, Dictionary<string, double>> Probabilities(string jsonLines) =>
        jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(e => e.GetProperty("file").GetString()!,
                e => e.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()));

    [Fact]
    public void Import_export_and_both_backends_from_the_command_line()
    {
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("Trained_model.h5"), "compact", 3);
        string[] genres = ["ambient", "classical", "jazz"]; // the synthesiser's first three
        File.WriteAllText(dir.File("training_hist.json"), """{"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [1.1, 0.9], "val_accuracy": [0.4, 0.6]}""");
        Synth.Generate(new Synth.Options(dir.File("songs"), Genres: 3, ClipsPerGenre: 1, Seconds: 8, Seed: 5));

        var import = CliProcess.Run("import-keras", dir.File("Trained_model.h5"), "--out", dir.File("m"), "--history", dir.File("training_hist.json"), "--genres", string.Join(",", genres));
        Assert.True(import.ExitCode == 0, import.Err);
        Assert.Contains("'compact' network (10 weighted layers", import.Out);
        Assert.Contains("3 genres (ambient, classical, jazz)", import.Out);
        Assert.Contains("history.json (2 epochs)", import.Out);

        // evaluate works on it, with the tutorial's chunk split marked as inflated
        var evaluate = CliProcess.Run("evaluate", "--model", dir.File("m"), "--data", dir.File("songs"));
        Assert.True(evaluate.ExitCode == 0, evaluate.Err);
        Assert.Contains("inflated", evaluate.Out + evaluate.Err);

        var keras = CliProcess.Run("export-keras", "--model", dir.File("m"), "--out", dir.File("out.h5"));
        Assert.True(keras.ExitCode == 0, keras.Err);
        Assert.Contains("outputs in order: ambient, classical, jazz", keras.Out);
        // the genres travel inside the .h5: importing it again needs no --genres
        var again = CliProcess.Run("import-keras", dir.File("out.h5"), "--out", dir.File("m2"));
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Contains("3 genres (ambient, classical, jazz)", again.Out);

        var onnx = CliProcess.Run("export-onnx", "--model", dir.File("m"), "--out", dir.File("model.onnx"));
        Assert.True(onnx.ExitCode == 0, onnx.Err);
        Assert.Contains("ONNX opset 17", onnx.Out);
        Assert.True(new FileInfo(dir.File("model.onnx")).Length > 4 * 500_000); // the weights are in it

        // fp32: "auto" picks bfloat16 on processors that have it, which differs from fp32 by ~1e-3
        var torch = CliProcess.Run("predict", "--model", dir.File("m"), "--format", "json", "--precision", "fp32", dir.File("songs"));
        var ort = CliProcess.Run("predict", "--model", dir.File("m"), "--format", "json", "--backend", "onnx", dir.File("songs"));
        Assert.True(torch.ExitCode == 0 && ort.ExitCode == 0, torch.Err + ort.Err);
        var (a, b) = (Probabilities(torch.Out), Probabilities(ort.Out));
        Assert.Equal(3, a.Count);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (file, p) in a)
            foreach (var (genre, value) in p) Assert.InRange(b[file][genre] - value, -1e-5, 1e-5);
    }

    [Fact]
    public void Bad_files_and_options_get_one_line()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("model.h5"), "not a model");
        var r = CliProcess.Run("import-keras", dir.File("model.h5"), "--out", dir.File("m"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("not a readable HDF5 file", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));

        r = CliProcess.Run("export-onnx", "--model", dir.File("nothing"), "--out", dir.File("x.onnx"));
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("./genre demo", r.Err);

        r = CliProcess.Run("predict", "--model", dir.File("nothing"), "--backend", "tensorflow", dir.File("model.h5"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--backend tensorflow: choose torch or onnx", r.Err);

        r = CliProcess.Run("predict", "--model", dir.File("nothing"), "--backend", "onnx", "--precision", "bf16", dir.File("model.h5"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("ONNX Runtime computes in fp32", r.Err);
    }

    [Fact]
    public async Task Serve_runs_the_onnx_backend()
    {
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("model.h5"), "compact", 3);
        Assert.Equal(0, CliProcess.Run("import-keras", dir.File("model.h5"), "--out", dir.File("m"), "--genres", "a,b,c").ExitCode);
        Synth.Generate(new Synth.Options(dir.File("songs"), Genres: 2, ClipsPerGenre: 1, Seconds: 6, Seed: 2));
        string song = Directory.EnumerateFiles(dir.File("songs"), "*.wav", SearchOption.AllDirectories).First();
        var expected = Probabilities(CliProcess.Run("predict", "--model", dir.File("m"), "--format", "json", "--precision", "fp32", song).Out).Single().Value;

        int port = ServerFixture.FreePort();
        // A private temporary folder for the uploads: the web tests check that none is left in the shared one.
        Directory.CreateDirectory(dir.File("tmp"));
        using var server = CliProcess.Start(new Dictionary<string, string> { ["TMPDIR"] = dir.File("tmp") },
            "serve", "--model", dir.File("m"), "--port", port.ToString(), "--backend", "onnx");
        try
        {
            var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("listening on", line);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            using var response = await http.PostAsync($"http://127.0.0.1:{port}/api/predict", ServerFixture.Upload(File.ReadAllBytes(song), "song.wav"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            foreach (var p in doc.RootElement.GetProperty("probabilities").EnumerateObject())
                Assert.InRange(p.Value.GetDouble() - expected[p.Name], -1e-5, 1e-5);
        }
        finally { server.Kill(entireProcessTree: true); }
    }
}
