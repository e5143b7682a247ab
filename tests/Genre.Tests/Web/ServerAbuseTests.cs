using System.Net;
using System.Text.Json;
using Genre.Tests.Cli;

namespace Genre.Tests.Web;

/// <summary>`genre serve` under load and abuse, on loopback: every hostile request is refused cleanly and the
/// server keeps answering normal ones (the figures under load are in bench/web_load.sh).</summary>
[Collection(ServerFixture.Collection)]
public class ServerAbuseTests(ServerFixture server)
{
    byte[] Song => File.ReadAllBytes(server.Data.Dataset.Songs[0].Path);
    AbuseTarget Target => new(server.Url, Song);
    static CancellationToken Bounded => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    public static TheoryData<string> QuickAbuse => new(AbusiveRequests.Quick.Select(a => a.Name));
    public static TheoryData<string, bool> PathLikeNames
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var n in AbusiveRequests.PathLikeNames) data.Add(n.ClientName, n.Encoded);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(QuickAbuse))]
    public async Task Abusive_request_is_refused_with_a_json_error_and_the_next_upload_still_succeeds(string name)
    {
        var abuse = AbusiveRequests.Quick.Single(a => a.Name == name);
        Assert.Null(await AbusiveRequests.CheckAsync(server.Http, Target, abuse, Bounded));
        await AssertNormalUploadSucceeds(server.Url);
    }

    [Theory]
    [MemberData(nameof(PathLikeNames))]
    public async Task Path_like_file_name_is_shown_by_its_last_segment_and_never_used_as_a_path(string clientName, bool encoded)
    {
        var name = AbusiveRequests.PathLikeNames.Single(n => n.ClientName == clientName && n.Encoded == encoded);
        using var response = await server.Http.SendAsync(AbusiveRequests.Upload(Target, name), Bounded);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        using var doc = JsonDocument.Parse(body);
        Assert.Equal(name.Shown, doc.RootElement.GetProperty("file").GetString());
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "genre-upload-*"));
    }

    [Fact]
    public async Task Twenty_concurrent_uploads_each_get_their_own_songs_prediction()
    {
        var songs = server.Data.Dataset.Songs.Take(5).Select(s => File.ReadAllBytes(s.Path)).ToArray();
        var expected = new List<JsonElement>();
        foreach (var song in songs) expected.Add(await Predict(server.Url, song, "alone.wav"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Predict(server.Url, songs[i % songs.Length], $"upload-{i}.wav")));

        for (int i = 0; i < answers.Length; i++)
        {
            var (got, want) = (answers[i], expected[i % songs.Length]);
            Assert.Equal($"upload-{i}.wav", got.GetProperty("file").GetString()); // no answer crossed over to another request
            Assert.Equal(want.GetProperty("genre").GetString(), got.GetProperty("genre").GetString());
            foreach (var p in want.GetProperty("probabilities").EnumerateObject())
                Assert.Equal(p.Value.GetDouble(), got.GetProperty("probabilities").GetProperty(p.Name).GetDouble(), 1e-5);
        }
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "genre-upload-*"));
    }

    [Fact]
    public async Task Trickling_uploads_are_cut_off_while_normal_uploads_succeed_beside_them_and_after()
    {
        // a server that predicts one song at a time: the slow clients must not take its place
        var (process, url) = await server.StartServer("--max-concurrent", "1");
        try
        {
            var target = new AbuseTarget(url, Song);
            var slow = new[] { AbusiveRequests.TrickleAsync(target, Bounded), AbusiveRequests.TrickleAsync(target, Bounded) };
            await AssertNormalUploadSucceeds(url);
            foreach (var trickle in slow) Assert.Null(await trickle); // cut off by the minimum upload rate: 408 or a closed connection
            await AssertNormalUploadSucceeds(url);
            for (int wait = 0; wait < 50 && Directory.EnumerateDirectories(Path.GetTempPath(), "genre-upload-*").Any(); wait++) await Task.Delay(100);
            Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "genre-upload-*"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }

    [Fact]
    public async Task A_full_server_answers_503_with_retry_after_and_admits_uploads_again_once_a_place_is_free()
    {
        // room for one upload in all: a trickling client holds it until the minimum upload rate cuts it off
        var (process, url) = await server.StartServer("--max-concurrent", "1", "--max-queue", "0");
        try
        {
            var trickle = AbusiveRequests.TrickleAsync(new AbuseTarget(url, Song), Bounded);
            await Task.Delay(1000); // its request line and headers are out: it holds the place before any upload below asks
            HttpResponseMessage? refused = null;
            for (int attempt = 0; attempt < 50 && refused is null; attempt++) // until the trickle has been admitted
            {
                var response = await server.Http.SendAsync(AbusiveRequests.Upload(url, Song, "song.wav"), Bounded);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable) refused = response;
                else { response.Dispose(); await Task.Delay(100); }
            }
            Assert.NotNull(refused);
            using (refused)
            {
                Assert.Equal(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
                using var doc = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
                Assert.Contains("busy", doc.RootElement.GetProperty("error").GetString());
            }
            Assert.Null(await trickle);
            await AssertNormalUploadSucceeds(url);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }

    [Theory]
    [InlineData("--max-concurrent", "0")]
    [InlineData("--max-queue", "-1")]
    [InlineData("--max-upload-mb", "0")]
    public void Serve_refuses_limits_out_of_range_as_a_usage_error(string option, string value)
    {
        var r = CliProcess.Run("serve", "--model", "no-such-model", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(option, r.Err);
    }

    async Task AssertNormalUploadSucceeds(string url)
    {
        using var response = await server.Http.SendAsync(AbusiveRequests.Upload(url, Song, "song.wav"), Bounded);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    async Task<JsonElement> Predict(string url, byte[] song, string name)
    {
        using var response = await server.Http.SendAsync(AbusiveRequests.Upload(url, song, name), Bounded);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
