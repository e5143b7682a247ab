using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Genre.Tests.Web;

/// <summary>
/// `genre serve` under load and abuse, on loopback: starts the server, then per round fires N uploads of
/// real WAVs at once (some under path-like names) together with every abusive request of the test
/// catalogue (tests/Genre.Tests/Web/AbusiveRequests.cs), checks every answer against the song's
/// prediction when sent alone, and prints counts, latency, throughput and the server's peak memory.
/// Usage: Genre.Bench web-load --genre ./genre --model DIR --songs DIR [--uploads 50] [--rounds 3]
/// </summary>
static class WebLoad
{
    public static int Run(string[] args)
    {
        string Get(string name, string? fallback = null) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback ?? throw new ArgumentException($"{name} is required"); }
        return RunAsync(Get("--genre"), Get("--model"), Get("--songs"), int.Parse(Get("--uploads", "50")), int.Parse(Get("--rounds", "3"))).GetAwaiter().GetResult();
    }

    sealed record Expected(string Genre, Dictionary<string, double> Probabilities);

    static async Task<int> RunAsync(string genre, string model, string songsDir, int uploads, int rounds)
    {
        var songs = Directory.EnumerateFiles(songsDir, "*.wav", SearchOption.AllDirectories).Order().Take(uploads).Select(File.ReadAllBytes).ToArray();
        if (songs.Length == 0) { Console.Error.WriteLine($"web-load: no .wav files in {songsDir}"); return 2; }
        int port = FreePort();
        using var server = Process.Start(new ProcessStartInfo(genre, ["serve", "--model", model, "--port", port.ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _ = server.StandardError.ReadToEndAsync();
        try
        {
            string? line = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(5));
            if (line is null || !line.StartsWith("listening on", StringComparison.Ordinal)) { Console.Error.WriteLine($"web-load: server said: {line}"); return 1; }
            string url = $"http://127.0.0.1:{port}";
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue }) { Timeout = TimeSpan.FromMinutes(2) };
            long startedKb = Memory(server.Id, "VmRSS");

            // what each song gets when it is the only request: the answers under load must be the same
            var expected = new List<Expected>();
            foreach (var song in songs) expected.Add(ToExpected(await Send(http, AbusiveRequests.Upload(url, song, "alone.wav"))));
            long idleKb = Memory(server.Id, "VmRSS");
            Console.WriteLine($"web-load: {songs.Length} distinct 30-s WAVs ({songs.Sum(s => s.Length) / songs.Length / 1024} KB each), {uploads} uploads + {AbusiveRequests.Quick.Count + 1} abusive requests at once per round, {rounds} rounds, {Environment.ProcessorCount} cores");
            Console.WriteLine($"server RSS: {startedKb / 1024} MB started, {idleKb / 1024} MB after one prediction per song");

            int sent = 0, correct = 0, refused = 0, shed = 0;
            var failures = new List<string>();
            var latencies = new List<double>();
            double uploadSeconds = 0;
            for (int round = 1; round <= rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var names = Enumerable.Range(0, uploads).Select(i => i < AbusiveRequests.PathLikeNames.Count ? AbusiveRequests.PathLikeNames[i] : new PathLikeName($"load-{round}-{i}.wav", $"load-{round}-{i}.wav")).ToArray();
                var normal = names.Select((name, i) => Upload(http, new AbuseTarget(url, songs[i % songs.Length]), name, expected[i % songs.Length], clock)).ToArray();
                var target = new AbuseTarget(url, songs[0]);
                using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var abusive = AbusiveRequests.Quick.Select(a => AbusiveRequests.CheckAsync(http, target, a, bound.Token)).Append(AbusiveRequests.TrickleAsync(target, bound.Token)).ToArray();

                var results = await Task.WhenAll(normal);
                double wall = clock.Elapsed.TotalSeconds;
                var problems = await Task.WhenAll(abusive);
                sent += normal.Length + abusive.Length;
                foreach (var (problem, seconds) in results)
                {
                    if (problem is null) { correct++; latencies.Add(seconds); }
                    else if (problem == Shed) shed++;
                    else failures.Add(problem);
                }
                foreach (var problem in problems)
                {
                    if (problem is null) refused++;
                    else failures.Add(problem);
                }
                uploadSeconds += wall;
                var roundLatency = results.Where(r => r.Problem is null).Select(r => r.Seconds).Order().ToArray();
                Console.WriteLine($"round {round}: {results.Count(r => r.Problem is null)}/{uploads} uploads answered correctly in {wall:F2} s " +
                    $"(p50 {Percentile(roundLatency, 0.5):F2} s, p95 {Percentile(roundLatency, 0.95):F2} s), {problems.Count(p => p is null)}/{abusive.Length} abusive refused as expected, " +
                    $"server peak RSS {Memory(server.Id, "VmHWM") / 1024} MB");
            }
            var sorted = latencies.Order().ToArray();
            Console.WriteLine($"requests sent {sent}, answered correctly {correct}, refused as expected {refused}, shed with 503 {shed}, failures {failures.Count}");
            Console.WriteLine($"upload latency p50 {Percentile(sorted, 0.5):F2} s, p95 {Percentile(sorted, 0.95):F2} s; throughput {correct / uploadSeconds:F1} uploads/s " +
                $"({correct * songs.Average(s => (double)s.Length) / uploadSeconds / 1e6:F1} MB/s of WAV)");
            Console.WriteLine($"server memory: RSS {idleKb / 1024} MB idle, peak (VmHWM) {Memory(server.Id, "VmHWM") / 1024} MB, now {Memory(server.Id, "VmRSS") / 1024} MB");
            foreach (var f in failures.Take(10)) Console.WriteLine("failure: " + f);
            return failures.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
        }
    }

    const string Shed = "503";

    /// <summary>One normal upload: null when answered with the song's own prediction under the safe name, else what is wrong.</summary>
    static async Task<(string? Problem, double Seconds)> Upload(HttpClient http, AbuseTarget target, PathLikeName name, Expected expected, Stopwatch clock)
    {
        double start = clock.Elapsed.TotalSeconds;
        try
        {
            using var response = await http.SendAsync(AbusiveRequests.Upload(target, name));
            string body = await response.Content.ReadAsStringAsync();
            double seconds = clock.Elapsed.TotalSeconds - start;
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) return (Shed, seconds);
            if (response.StatusCode != HttpStatusCode.OK) return ($"{name.ClientName}: status {(int)response.StatusCode}: {body}", seconds);
            using var doc = JsonDocument.Parse(body);
            var got = ToExpected(doc.RootElement);
            string? shown = doc.RootElement.GetProperty("file").GetString();
            if (shown != name.Shown) return ($"{name.ClientName}: answered as '{shown}', expected '{name.Shown}'", seconds);
            bool same = got.Genre == expected.Genre && expected.Probabilities.All(p => Math.Abs(p.Value - got.Probabilities[p.Key]) < 1e-5);
            return (same ? null : $"{name.ClientName}: {got.Genre} differs from the answer alone ({expected.Genre})", seconds);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return ($"{name.ClientName}: {e.GetType().Name}: {e.Message}", clock.Elapsed.TotalSeconds - start);
        }
    }

    static async Task<JsonElement> Send(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"web-load: a single upload failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    static Expected ToExpected(JsonElement answer) =>
        new(answer.GetProperty("genre").GetString()!, answer.GetProperty("probabilities").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()));

    static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>A field of /proc/PID/status in kB (VmRSS: resident now; VmHWM: the peak so far).</summary>
    static long Memory(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return 0;
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
