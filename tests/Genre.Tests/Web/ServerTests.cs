using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Genre.Audio;
using Genre.Tests.Cli;
using Genre.Training;
using Microsoft.Playwright;

namespace Genre.Tests.Web;

/// <summary>A real `genre serve` child process on a free loopback port, with a small model trained on synthetic data.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    /// <summary>The test classes that share this server (one at a time: they check that no upload is left on disk).</summary>
    public const string Collection = "web server";

    readonly TinyData _data = new();
    System.Diagnostics.Process? _server;
    public string Url { get; private set; } = "";
    public string ModelDir { get; private set; } = "";
    public TinyData Data => _data;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task InitializeAsync()
    {
        ModelDir = _data.NewDir("model");
        Trainer.Train(_data.Set, new TrainingOptions { Architecture = "compact", Epochs = 2, BatchSize = 8, LearningRate = 1e-3, ValidationFraction = 0.25 }, ModelDir);
        (_server, Url) = await StartServer();
    }

    /// <summary>Starts another `genre serve` of this fixture's model with extra options; the caller stops it.</summary>
    public async Task<(System.Diagnostics.Process Server, string Url)> StartServer(params string[] options)
    {
        int port = FreePort();
        var server = CliProcess.Start(["serve", "--model", ModelDir, "--port", port.ToString(), .. options]);
        var line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("listening on"))
        {
            server.Kill(entireProcessTree: true);
            Assert.Fail($"server said: {line} {await server.StandardError.ReadToEndAsync()}");
        }
        return (server, $"http://127.0.0.1:{port}");
    }

    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false }) _server.Kill(entireProcessTree: true);
        _server?.Dispose();
        Http.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }

    public static MultipartFormDataContent Upload(byte[] bytes, string name)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return new MultipartFormDataContent { { content, "file", name } };
    }
}

[CollectionDefinition(ServerFixture.Collection)]
public class ServerCollection : ICollectionFixture<ServerFixture>;

[Collection(ServerFixture.Collection)]
public class ServerTests(ServerFixture server)
{
    byte[] Song => File.ReadAllBytes(server.Data.Dataset.Songs[0].Path);

    /// <summary>A 10-s clip has 431 frames: 2-s windows every second, the last moved back to end with the song.</summary>
    static readonly int TenSecondWindows = Genre.Features.SongWindows.Count(Genre.Features.FeatureSettings.Default, 1 + 220_500 / 512);

    [Fact]
    public async Task Model_endpoint_lists_genres_and_settings()
    {
        using var doc = JsonDocument.Parse(await server.Http.GetStringAsync(server.Url + "/api/model"));
        Assert.Equal(server.Data.Dataset.Genres, doc.RootElement.GetProperty("genres").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal(22050, doc.RootElement.GetProperty("features").GetProperty("sample_rate").GetInt32());
    }

    [Fact]
    public async Task Predict_returns_the_same_json_as_the_command_line_plus_timeline_and_image()
    {
        using var response = await server.Http.PostAsync(server.Url + "/api/predict", ServerFixture.Upload(Song, "../../etc/passwd.wav"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = doc.RootElement;
        Assert.Equal("passwd.wav", root.GetProperty("file").GetString()); // the client's path is never used
        Assert.Contains(root.GetProperty("genre").GetString(), server.Data.Dataset.Genres);
        Assert.Equal(TenSecondWindows, root.GetProperty("timeline").GetArrayLength());
        Assert.StartsWith("data:image/png;base64,", root.GetProperty("spectrogram").GetString());
        foreach (var key in new[] { "probability", "probabilities", "chunks", "seconds", "spread", "agreement" }) Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Contains(root.GetProperty("verdict").GetString(), new[] { "confident", "uncertain" });
        Assert.StartsWith("data:image/png;base64,", root.GetProperty("explanation").GetString());
        // nothing uploaded is kept on disk after the answer (only this collection uploads, and its tests run one at a time)
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "genre-upload-*"));
    }

    [Fact]
    public async Task Non_audio_gets_415_and_oversized_uploads_413()
    {
        using var text = await server.Http.PostAsync(server.Url + "/api/predict", ServerFixture.Upload("hello, not audio"u8.ToArray(), "notes.wav"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, text.StatusCode);
        Assert.Contains("not a WAV file", await text.Content.ReadAsStringAsync());
        // Expect: 100-continue, as curl sends for large bodies: the server can refuse before the body travels
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url + "/api/predict") { Content = ServerFixture.Upload(new byte[51 * 1024 * 1024], "big.wav") };
        request.Headers.ExpectContinue = true;
        using var big = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        // and the server still answers
        using var ok = await server.Http.PostAsync(server.Url + "/api/predict", ServerFixture.Upload(Song, "song.wav"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Page_in_a_real_browser_shows_the_genre_chart_spectrogram_and_timeline()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 900, Height = 900 } });
        await page.GotoAsync(server.Url + "/");
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync("genres");

        using var dir = new TempDir();
        string wav = dir.File("my song.wav");
        File.WriteAllBytes(wav, Song);
        await page.Locator("#file").SetInputFilesAsync(wav);
        await Assertions.Expect(page.Locator("#result")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        string genre = (await page.Locator("#genre").TextContentAsync())!;
        Assert.Contains(genre, server.Data.Dataset.Genres);
        Assert.Equal(server.Data.Dataset.Genres.Count, await page.Locator("#chart .bar").CountAsync());
        Assert.Equal(TenSecondWindows, await page.Locator("#timeline li").CountAsync());
        Assert.True(await page.Locator("#spectrogram").EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 100"));
        // the Grad-CAM map lies exactly over the spectrogram, and the verdict is shown
        Assert.True(await page.Locator("#explanation").EvaluateAsync<bool>(
            "img => { const s = document.getElementById('spectrogram').getBoundingClientRect(), e = img.getBoundingClientRect(); " +
            "return img.complete && img.naturalWidth === document.getElementById('spectrogram').naturalWidth && s.top === e.top && s.width === e.width && s.height === e.height; }"));
        await Assertions.Expect(page.Locator("#trust")).ToContainTextAsync("of the chunks agree");
        string shot = Path.Combine(AppContext.BaseDirectory, "web-page.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.True(new FileInfo(shot).Length > 10_000);
    }
}
