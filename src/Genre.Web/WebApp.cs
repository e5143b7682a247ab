using System.Globalization;
using System.Reflection;
using Genre.Model;
using Genre.Prediction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Genre.Web;

/// <summary>Where and how `genre serve` listens, and how much it takes on at once.</summary>
public sealed record WebOptions(string Host = "127.0.0.1", int Port = 5000, long MaxUploadBytes = WebOptions.DefaultMaxUploadBytes)
{
    /// <summary>Uploads above 50 MB are refused with 413 (a 30-s WAV is 1.3 MB, a 10-minute MP3 ~10 MB).</summary>
    public const long DefaultMaxUploadBytes = 50L * 1024 * 1024;
    public const int DefaultMaxQueued = 64;

    /// <summary>Songs decoded and predicted at the same time (each holds its samples and feature images): one per core.</summary>
    public int MaxRunning { get; init; } = Environment.ProcessorCount;
    /// <summary>Prediction requests admitted beyond <see cref="MaxRunning"/> (uploading or waiting their turn); more get 503.</summary>
    public int MaxQueued { get; init; } = DefaultMaxQueued;
    /// <summary>Slowest upload tolerated after a 5-s grace period; a slower client is cut off with 408.</summary>
    public int MinUploadBytesPerSecond { get; init; } = 4096;
}

/// <summary>
/// The local web page: one static page (embedded in this assembly) and a JSON API over the same
/// <see cref="Predictor"/> the command line uses. Uploads are streamed to a private temporary file for
/// the decoders and deleted before the answer is sent. Every refusal is a JSON <c>{"error": ...}</c>
/// with its status; none carries a stack trace.
/// </summary>
public static class WebApp
{
    /// <summary>Open connections at most (idle keep-alive ones included); far above any real use of a local page.</summary>
    const int MaxConnections = 512;
    /// <summary>What a 503 tells the client to wait: about the time of one prediction round.</summary>
    const int RetryAfterSeconds = 2;

    /// <param name="scorer">Another engine for the network (e.g. ONNX Runtime); null runs the model's TorchSharp network.</param>
    public static WebApplication Build(TrainedModel model, WebOptions options, IChunkScorer? scorer = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            k.Limits.MinRequestBodyDataRate = new MinDataRate(options.MinUploadBytesPerSecond, TimeSpan.FromSeconds(5));
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.Limits.MaxConcurrentConnections = MaxConnections;
            k.AddServerHeader = false;
        });
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        var app = builder.Build();
        app.Use(AnswerUnexpectedErrors);
        var predictor = new Predictor(model, scorer);
        // Grad-CAM needs the TorchSharp network; with another engine the page shows no explanation
        var explainer = scorer is null ? new Explanation.Explainer(predictor) : null;
        var gate = new PredictionGate(options.MaxRunning, options.MaxQueued);

        foreach (var (path, file, type) in new[] { ("/", "index.html", "text/html; charset=utf-8"), ("/app.js", "app.js", "text/javascript"), ("/app.css", "app.css", "text/css") })
        {
            byte[] bytes = Resource(file);
            app.MapGet(path, () => Results.Bytes(bytes, type));
        }

        app.MapGet("/api/model", () => Results.Json(new
        {
            architecture = model.Config.Architecture,
            genres = model.Config.Genres,
            features = model.Config.Features,
            normalization = model.Config.Normalization,
            max_upload_bytes = options.MaxUploadBytes,
        }, ModelConfig.Json));

        app.MapPost("/api/predict", (HttpRequest request) => PredictUpload(request.HttpContext, predictor, explainer, gate, options));
        return app;
    }

    /// <summary>A bug must not reach the client as a stack trace (or, in a Development environment, a debug page): one JSON line out, the details to the server's stderr.</summary>
    static async Task AnswerUnexpectedErrors(HttpContext context, RequestDelegate next)
    {
        try { await next(context); }
        catch (Exception e) when (e is not OperationCanceledException && !context.Response.HasStarted)
        {
            Console.Error.WriteLine($"genre serve: {context.Request.Method} {context.Request.Path}: {e}");
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { error = "internal error (the server's log has the details)" });
        }
    }

    static async Task<IResult> PredictUpload(HttpContext context, Predictor predictor, Explanation.Explainer? explainer, PredictionGate gate, WebOptions options)
    {
        if (context.Request.ContentLength > options.MaxUploadBytes) return TooLarge(options); // refused before the body travels
        if (!gate.TryEnter())
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status503ServiceUnavailable, $"the server is busy ({options.MaxRunning + options.MaxQueued} uploads in progress); try again in a few seconds");
        }
        string dir;
        try { dir = Directory.CreateTempSubdirectory("genre-upload-").FullName; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            gate.Leave();
            var refused = MultipartUpload.NoRoom();
            return Error(refused.Status, refused.Message);
        }
        try { return await PredictAdmitted(context, dir, predictor, explainer, gate, options); }
        finally
        {
            gate.Leave();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    static async Task<IResult> PredictAdmitted(HttpContext context, string dir, Predictor predictor, Explanation.Explainer? explainer, PredictionGate gate, WebOptions options)
    {
        var cancel = context.RequestAborted;
        string received = Path.Combine(dir, "upload");
        string name;
        try { name = DisplayName(await MultipartUpload.SaveAsync(context.Request, received, cancel)); }
        catch (UploadRefusedException e)
        {
            return e.Status switch
            {
                StatusCodes.Status413PayloadTooLarge => TooLarge(options),
                StatusCodes.Status408RequestTimeout => Error(e.Status, $"the upload arrived too slowly (under {options.MinUploadBytesPerSecond} bytes/s)"),
                _ => Error(e.Status, e.Message),
            };
        }

        // Only the extension of the client's name is used, never its path: "../../x.wav" becomes "upload.wav".
        string temp = received + SafeExtension(name);
        File.Move(received, temp);
        try
        {
            var result = await gate.RunAsync(() =>
            {
                var (chunks, seconds) = predictor.Features(temp, cancel);
                // Grad-CAM gives the prediction too, at about the cost of predicting (README, "genre explain").
                var explanation = explainer?.Explain(name, chunks, seconds);
                var prediction = explanation?.Prediction ?? predictor.Classify(name, chunks, seconds);
                var json = PredictionJson.ToDictionary(prediction, predictor.Model.Config.Genres, 3, timeline: true);
                json["spectrogram"] = "data:image/png;base64," + Convert.ToBase64String(
                    Reports.SpectrogramImage.Png(chunks, predictor.Model.Config.Features));
                if (explanation is not null)
                    json["explanation"] = "data:image/png;base64," + Convert.ToBase64String(Reports.ExplanationImage.OverlayPng(explanation));
                return json;
            }, cancel);
            return Results.Json(result);
        }
        catch (GenreException e)
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, e.Message.Replace(temp, name));
        }
    }

    /// <summary>The last segment of the client's file name, for the answer only ("../../etc/passwd.wav" -> "passwd.wav").</summary>
    static string DisplayName(string clientName)
    {
        string name = Path.GetFileName(clientName.Replace('\\', '/'));
        return name.Trim('.', ' ').Length == 0 ? "upload" : name;
    }

    static string SafeExtension(string name)
    {
        string ext = Path.GetExtension(name).ToLowerInvariant();
        return ext.Length is > 1 and <= 6 && ext.Skip(1).All(char.IsAsciiLetterOrDigit) ? ext : ".bin";
    }

    static IResult TooLarge(WebOptions o) =>
        Error(StatusCodes.Status413PayloadTooLarge, $"the upload is larger than the {o.MaxUploadBytes / (1024 * 1024)} MB limit");

    static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    static byte[] Resource(string file)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("wwwroot/" + file)
            ?? throw new InvalidOperationException($"missing embedded page file {file}");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
