using System.Reflection;
using Genre.Model;
using Genre.Prediction;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Genre.Web;

/// <summary>Where and how `genre serve` listens.</summary>
public sealed record WebOptions(string Host = "127.0.0.1", int Port = 5000, long MaxUploadBytes = WebOptions.DefaultMaxUploadBytes)
{
    /// <summary>Uploads above 50 MB are refused with 413 (a 30-s WAV is 1.3 MB, a 10-minute MP3 ~10 MB).</summary>
    public const long DefaultMaxUploadBytes = 50L * 1024 * 1024;
}

/// <summary>
/// The local web page: one static page (embedded in this assembly) and a JSON API over the same
/// <see cref="Predictor"/> the command line uses. Uploads are written to a private temporary file for
/// the decoders and deleted before the answer is sent.
/// </summary>
public static class WebApp
{
    public static WebApplication Build(TrainedModel model, WebOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxUploadBytes;
            k.AddServerHeader = false;
        });
        builder.WebHost.UseUrls($"http://{options.Host}:{options.Port}");
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxUploadBytes);
        var app = builder.Build();
        var predictor = new Predictor(model);
        var explainer = new Explanation.Explainer(predictor);

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

        app.MapPost("/api/predict", (HttpRequest request, CancellationToken cancel) => PredictUpload(request, explainer, predictor, options, cancel));
        return app;
    }

    static async Task<IResult> PredictUpload(HttpRequest request, Explanation.Explainer explainer, Predictor predictor, WebOptions options, CancellationToken cancel)
    {
        if (request.ContentLength > options.MaxUploadBytes) return TooLarge(options);
        if (!request.HasFormContentType) return Error(StatusCodes.Status400BadRequest, "send the song as multipart/form-data in a field named 'file'");
        IFormFile? upload;
        try { upload = (await request.ReadFormAsync(cancel)).Files.GetFile("file"); }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return TooLarge(options); }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)) { return TooLarge(options); }
        catch (Exception e) when (e is InvalidDataException or IOException or BadHttpRequestException)
        {
            return Error(StatusCodes.Status400BadRequest, $"malformed upload ({e.Message})");
        }
        if (upload is null || upload.Length == 0) return Error(StatusCodes.Status400BadRequest, "no file in the upload (field 'file')");

        // Only the extension of the client's name is used, never its path: "../../x.wav" becomes "<random>.wav".
        string name = Path.GetFileName(upload.FileName.Replace('\\', '/'));
        string ext = SafeExtension(name);
        string dir = Directory.CreateTempSubdirectory("genre-upload-").FullName;
        string temp = Path.Combine(dir, "upload" + ext);
        try
        {
            await using (var s = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                await upload.CopyToAsync(s, cancel);
            var result = await Task.Run(() =>
            {
                var (chunks, seconds) = predictor.Features(temp, cancel);
                // Grad-CAM gives the prediction too, at about the cost of predicting (README, "genre explain").
                var explanation = explainer.Explain(name, chunks, seconds);
                var json = PredictionJson.ToDictionary(explanation.Prediction, predictor.Model.Config.Genres, 3, timeline: true);
                json["spectrogram"] = "data:image/png;base64," + Convert.ToBase64String(
                    Reports.SpectrogramImage.Png(chunks.Select(c => c.Image).ToList(), predictor.Model.Config.Features));
                json["explanation"] = "data:image/png;base64," + Convert.ToBase64String(Reports.ExplanationImage.OverlayPng(explanation));
                return json;
            }, cancel);
            return Results.Json(result);
        }
        catch (GenreException e)
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, e.Message.Replace(temp, name));
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
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
