using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Genre.Tests.Web;

/// <summary>Where abusive requests go: the server's address, a real song for the parts that need one, and its upload limit.</summary>
public sealed record AbuseTarget(string Url, byte[] Song, long MaxUploadBytes = 50L * 1024 * 1024)
{
    public string Predict => Url + "/api/predict";
}

/// <summary>A hostile or broken POST /api/predict and the refusal it must get.</summary>
public sealed record AbusiveRequest(string Name, HttpStatusCode Status, Func<AbuseTarget, HttpRequestMessage> Build)
{
    /// <summary>The server may close the connection instead of answering (it stops reading a body it refuses).</summary>
    public bool MayDropConnection { get; init; }
    public override string ToString() => Name;
}

/// <summary>A client file name shaped like a path, and the name the answer must show instead.</summary>
public sealed record PathLikeName(string ClientName, string Shown, bool Encoded = false)
{
    public override string ToString() => ClientName;
}

/// <summary>
/// The catalogue of abuse that `genre serve` must refuse cleanly (tests/Genre.Tests/Web/ServerAbuseTests.cs
/// runs each one; bench/Genre.Bench/WebLoad.cs mixes them into its load). Bodies are built by hand so
/// that each one is malformed in exactly one way.
/// </summary>
public static class AbusiveRequests
{
    const string Boundary = "genre-abuse-boundary";

    /// <summary>Refused quickly (no waiting on timeouts).</summary>
    public static readonly IReadOnlyList<AbusiveRequest> Quick =
    [
        new("not multipart (raw WAV body)", HttpStatusCode.BadRequest, t => Post(t, new ByteArrayContent(t.Song) { Headers = { ContentType = new("audio/wav") } })),
        new("multipart without a boundary", HttpStatusCode.BadRequest, t => Post(t, Raw(FilePart("file", "song.wav", t.Song) + Close, "multipart/form-data"))),
        new("truncated body (no closing boundary)", HttpStatusCode.BadRequest, t => Post(t, Raw(FilePart("file", "song.wav", t.Song[..(t.Song.Length / 2)])))),
        new("no parts, only garbage", HttpStatusCode.BadRequest, t => Post(t, Raw(new Body("just some text, no boundary line anywhere")))),
        new("wrong field name", HttpStatusCode.BadRequest, t => Post(t, Raw(FilePart("song", "song.wav", t.Song) + Close))),
        new("two files", HttpStatusCode.BadRequest, t => Post(t, Raw(FilePart("file", "a.wav", t.Song) + FilePart("file", "b.wav", t.Song) + Close))),
        new("empty file", HttpStatusCode.BadRequest, t => Post(t, Raw(FilePart("file", "empty.wav", []) + Close))),
        new("part headers over 16 KB", HttpStatusCode.BadRequest, t => Post(t, Raw(FilePart("file", "song.wav", t.Song, $"X-Filler: {new string('x', 20_000)}\r\n") + Close))),
        new("text named .wav", HttpStatusCode.UnsupportedMediaType, t => Post(t, Raw(FilePart("file", "notes.wav", "hello, not audio"u8.ToArray()) + Close))),
        new("PNG named .mp3", HttpStatusCode.UnsupportedMediaType, t => Post(t, Raw(FilePart("file", "cover.mp3", [0x89, .. "PNG\r\n\u001a\n"u8, .. new byte[4000]]) + Close))),
        new("declared size over the limit", HttpStatusCode.RequestEntityTooLarge, t =>
        {
            var request = Post(t, new ZeroContent(t.MaxUploadBytes + (1 << 20), declareLength: true) { Headers = { ContentType = MultipartType() } });
            request.Headers.ExpectContinue = true; // as curl sends for large bodies: refused before the body travels
            return request;
        }),
        new("chunked body over the limit", HttpStatusCode.RequestEntityTooLarge, t =>
            Post(t, new ZeroContent(t.MaxUploadBytes + (1 << 20), declareLength: false, FilePart("file", "big.wav", [])) { Headers = { ContentType = MultipartType() } })) { MayDropConnection = true },
    ];

    /// <summary>
    /// Sends a valid upload one byte every 250 ms (over a raw connection: an HTTP client library may hold
    /// the bytes back) until the server cuts it off by its minimum upload rate. Null when it did (408 or a
    /// closed connection), else what went wrong; <paramref name="cancel"/> bounds the wait.
    /// </summary>
    public static async Task<string?> TrickleAsync(AbuseTarget t, CancellationToken cancel)
    {
        var uri = new Uri(t.Predict);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, cancel);
        var stream = client.GetStream();
        byte[] body = (FilePart("file", "slow.wav", t.Song) + Close).Bytes;
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\n" +
            $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {body.Length}\r\n\r\n"), cancel);
        var answer = new byte[4096];
        try
        {
            var reading = stream.ReadAsync(answer, cancel).AsTask();
            foreach (byte b in body)
            {
                if (reading.IsCompleted) break;
                await stream.WriteAsync(new[] { b }, cancel);
                await Task.WhenAny(reading, Task.Delay(250, cancel));
            }
            int n = await reading;
            string status = Encoding.ASCII.GetString(answer, 0, n).Split('\r')[0];
            return n == 0 || status.StartsWith("HTTP/1.1 408", StringComparison.Ordinal) ? null : $"trickling upload: answered '{status}' instead of being cut off";
        }
        catch (Exception e) when (e is IOException or SocketException) { return null; } // the server closed the connection
        catch (OperationCanceledException) { return "trickling upload: not cut off in time"; }
    }

    public static readonly IReadOnlyList<PathLikeName> PathLikeNames =
    [
        new("../../etc/passwd.wav", "passwd.wav"),
        new(@"..\..\Windows\win.ini.wav", "win.ini.wav"),
        new("/etc/passwd.wav", "passwd.wav"),
        new(@"C:\temp\song.wav", "song.wav"),
        new("....//....//x.wav", "x.wav"),
        new("..", "upload"),
        new("../../etc/passwd.wav", "passwd.wav", Encoded: true),
        new(new string('a', 300) + ".wav", new string('a', 300) + ".wav"),
    ];

    /// <summary>A normal upload of <paramref name="song"/> under <paramref name="name"/>.</summary>
    public static HttpRequestMessage Upload(string url, byte[] song, string name) =>
        new(HttpMethod.Post, url + "/api/predict") { Content = Raw(FilePart("file", name, song) + Close) };

    public static HttpRequestMessage Upload(AbuseTarget t, PathLikeName name) =>
        Post(t, Raw(FilePart("file", name.ClientName, t.Song, encodeName: name.Encoded) + Close));

    /// <summary>Sends <paramref name="abuse"/> and returns null when it got its refusal (the status, a JSON error, no stack trace), else what went wrong.</summary>
    public static async Task<string?> CheckAsync(HttpClient http, AbuseTarget target, AbusiveRequest abuse, CancellationToken cancel)
    {
        HttpResponseMessage response;
        try { response = await http.SendAsync(abuse.Build(target), cancel); }
        catch (HttpRequestException) when (abuse.MayDropConnection) { return null; }
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync(cancel);
            if (response.StatusCode != abuse.Status) return $"{abuse.Name}: status {(int)response.StatusCode}, expected {(int)abuse.Status}: {Shorten(body)}";
            return RefusalProblem(body) is { } problem ? $"{abuse.Name}: {problem}" : null;
        }
    }

    /// <summary>Null when <paramref name="body"/> is a clean refusal: {"error": "..."} without a stack trace.</summary>
    public static string? RefusalProblem(string body)
    {
        if (StackFrame.IsMatch(body)) return $"the answer shows a stack trace: {Shorten(body)}";
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var error) && error.GetString() is { Length: > 0 } ? null : $"no \"error\" in {Shorten(body)}";
        }
        catch (JsonException) { return $"not JSON: {Shorten(body)}"; }
    }

    static readonly Regex StackFrame = new(@"\bat [\w.`<>]+\.[\w<>]+\(|\bException\b:", RegexOptions.Compiled);

    static string Shorten(string s) => s.Length <= 300 ? s : s[..300] + "...";

    static HttpRequestMessage Post(AbuseTarget t, HttpContent content) => new(HttpMethod.Post, t.Predict) { Content = content };

    static MediaTypeHeaderValue MultipartType() => MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");

    /// <summary>Bytes of a multipart body under construction.</summary>
    sealed record Body(byte[] Bytes)
    {
        public Body(string text) : this(Encoding.UTF8.GetBytes(text)) { }
        public static Body operator +(Body a, Body b) => new([.. a.Bytes, .. b.Bytes]);
    }

    static Body Close => new($"--{Boundary}--\r\n");

    static Body FilePart(string field, string fileName, byte[] data, string extraHeaders = "", bool encodeName = false)
    {
        string name = encodeName ? $"filename*=UTF-8''{Uri.EscapeDataString(fileName)}" : $"filename=\"{fileName.Replace("\"", "\\\"")}\"";
        return new Body($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; {name}\r\nContent-Type: application/octet-stream\r\n{extraHeaders}\r\n")
            + new Body(data) + new Body("\r\n");
    }

    static ByteArrayContent Raw(Body body, string? contentType = null) =>
        new(body.Bytes) { Headers = { ContentType = contentType is null ? MultipartType() : MediaTypeHeaderValue.Parse(contentType) } };

    /// <summary>Zeros after an optional start, produced as they are sent (a 51-MB body without 51 MB of memory); chunked unless the length is declared.</summary>
    sealed class ZeroContent(long length, bool declareLength, Body? start = null) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            if (start is not null) await stream.WriteAsync(start.Bytes).ConfigureAwait(false);
            var block = new byte[64 * 1024];
            for (long left = length; left > 0; left -= block.Length)
                await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, left))).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return declareLength;
        }
    }
}
