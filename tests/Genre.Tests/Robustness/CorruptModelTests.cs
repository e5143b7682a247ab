using System.Buffers.Binary;
using System.Text.Json.Nodes;
using Genre.Model;
using Genre.Tests.Cli;

namespace Genre.Tests.Robustness;

/// <summary>Damaged, lying and foreign model folders: each refused with a message that names the problem.</summary>
public class CorruptModelTests(TinyModel model) : IClassFixture<TinyModel>
{
    string Refusal(Action<string> damage)
    {
        string dir = model.CopyModel();
        damage(dir);
        return Assert.Throws<GenreException>(() => ModelStore.Load(dir).Dispose()).Message;
    }

    static void EditConfig(string dir, Action<JsonObject> edit)
    {
        string path = Path.Combine(dir, ModelStore.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    /// <summary>Rewrites model.safetensors' JSON header (keeping the data), optionally lying about its length.</summary>
    static void EditWeightsHeader(string dir, Func<string, string> edit, ulong? lengthOverride = null)
    {
        string path = Path.Combine(dir, ModelStore.WeightsFile);
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, length);
        var newHeader = System.Text.Encoding.UTF8.GetBytes(edit(header));
        using var s = File.Create(path);
        s.Write(BitConverter.GetBytes(lengthOverride ?? (ulong)newHeader.Length));
        s.Write(newHeader);
        s.Write(bytes.AsSpan(8 + length));
    }

    [Fact]
    public void The_intact_copy_loads() => ModelStore.Load(model.CopyModel()).Dispose();

    [Fact]
    public void Missing_or_corrupt_config_is_refused() 
    {
        Assert.Contains("config.json: not found", Refusal(d => File.Delete(Path.Combine(d, ModelStore.ConfigFile))));
        Assert.Contains("corrupt config", Refusal(d => File.WriteAllText(Path.Combine(d, ModelStore.ConfigFile), "{\"architecture\": \"compact\", \"genres\": [")));
        Assert.Contains("'genres'", Refusal(d => EditConfig(d, c => c["genres"] = new JsonArray("rock"))));
        Assert.Contains("feature settings", Refusal(d => EditConfig(d, c => c["features"]!["sample_rate"] = -5)));
    }

    [Fact]
    public void A_model_from_a_newer_format_version_is_refused()
    {
        Assert.Contains("newer than this program supports", Refusal(d => EditConfig(d, c => c["format_version"] = 99)));
    }

    [Fact]
    public void Lying_weight_headers_are_refused_by_name()
    {
        Assert.Contains("outside", Refusal(d => EditWeightsHeader(d, h => h.Replace("\"data_offsets\":[0,576]", "\"data_offsets\":[0,99999576]"))));
        Assert.Contains("header length", Refusal(d => EditWeightsHeader(d, h => h, lengthOverride: 10_000_000_000)));
        Assert.Contains("does not match", Refusal(d => EditWeightsHeader(d, h => h.Replace("\"shape\":[16,1,3,3]", "\"shape\":[16,1,3,4]"))));
        Assert.Contains(ModelStore.WeightsFile, Refusal(d => File.WriteAllBytes(Path.Combine(d, ModelStore.WeightsFile), [1, 2, 3])));
    }

    [Fact]
    public void Weights_that_do_not_fit_the_network_are_refused()
    {
        // the config asks for the resnet; the file holds the compact one
        Assert.Contains("do not match the 'resnet' network", Refusal(d => EditConfig(d, c => c["architecture"] = "resnet")));
        // four genres in the config, three outputs in the weights
        Assert.Contains("shape", Refusal(d => EditConfig(d, c => c["genres"] = new JsonArray("a", "b", "c", "d"))));
        Assert.Contains("NaN", Refusal(d => CorruptFirstWeight(d, float.NaN)));
    }

    static void CorruptFirstWeight(string dir, float value)
    {
        string path = Path.Combine(dir, ModelStore.WeightsFile);
        var bytes = File.ReadAllBytes(path);
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + length), value);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void Loading_never_instantiates_types_or_runs_commands_named_by_the_model()
    {
        // JSON and safetensors are data only: a type hint is ignored, a command is just an unknown name
        string marker = Path.Combine(Path.GetTempPath(), "genre-test-executed-" + Guid.NewGuid().ToString("N"));
        string message = Refusal(d => EditConfig(d, c =>
        {
            c["$type"] = "System.Diagnostics.Process, System.Diagnostics.Process";
            c["architecture"] = $"$(touch {marker})";
        }));
        Assert.Contains("unknown architecture", message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void The_command_line_prints_one_line_and_exits_3()
    {
        string dir = model.CopyModel();
        EditConfig(dir, c => c["format_version"] = 99);
        var r = CliProcess.Run("predict", "--model", dir, model.Data.Dataset.Songs[0].Path);
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("newer than this program supports", r.Err);
        Assert.Single(r.Err.Trim().Split('\n'));
    }
}
