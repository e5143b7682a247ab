using TorchSharp;
using static TorchSharp.torch;

namespace Genre.Model;

/// <summary>A trained model: its config and its network, loaded from or saved to a MODEL_DIR.</summary>
public sealed class TrainedModel(ModelConfig config, GenreNet network) : IDisposable
{
    public ModelConfig Config { get; } = config;
    public GenreNet Network { get; } = network;
    public void Dispose() => Network.Dispose();
}

/// <summary>
/// The files of a MODEL_DIR: config.json, model.safetensors (the best epoch), history.json,
/// accuracy.png, loss.png, split.json, and checkpoint/ (the last epoch, for --resume).
/// </summary>
public static class ModelStore
{
    public const string ConfigFile = "config.json", WeightsFile = "model.safetensors", HistoryFile = "history.json",
        SplitFile = "split.json", CheckpointDir = "checkpoint";

    /// <param name="precision">Arithmetic to run the network in; the stored weights are float32 either way.</param>
    public static TrainedModel Load(string modelDir, Precision precision = Precision.Fp32)
    {
        if (!Directory.Exists(modelDir))
            throw new GenreException($"{modelDir}: model folder not found (train one with ./genre train, or run ./genre demo)");
        var config = ModelConfig.Load(Path.Combine(modelDir, ConfigFile));
        var net = new GenreNet(config.BuildArchitecture()) { Precision = precision };
        try { LoadWeights(net, Path.Combine(modelDir, WeightsFile)); }
        catch { net.Dispose(); throw; }
        net.eval();
        return new TrainedModel(config, net);
    }

    public static void SaveWeights(GenreNet net, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var tensors = new List<NamedTensor>();
        using var _ = no_grad();
        foreach (var (name, p) in net.NamedWeights())
        {
            using var cpu = p.detach().cpu().contiguous().to_type(ScalarType.Float32);
            tensors.Add(new NamedTensor(name, p.shape, cpu.data<float>().ToArray()));
        }
        var meta = new Dictionary<string, string> { ["format"] = "pt", ["architecture"] = net.Architecture.Name };
        if (metadata is not null) foreach (var (k, v) in metadata) meta[k] = v;
        SafeTensors.Write(path, tensors, meta);
    }

    /// <summary>Copies weights into the network; every name and shape must match exactly.</summary>
    public static void LoadWeights(GenreNet net, string path)
    {
        var (tensors, _) = SafeTensors.Read(path);
        var byName = tensors.ToDictionary(t => t.Name);
        var expected = net.NamedWeights().ToList();
        var missing = expected.Where(e => !byName.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var extra = byName.Keys.Except(expected.Select(e => e.Name)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new GenreException($"{path}: weights do not match the '{net.Architecture.Name}' network" +
                (missing.Count > 0 ? $"; missing: {string.Join(", ", missing.Take(5))}" : "") +
                (extra.Count > 0 ? $"; unexpected: {string.Join(", ", extra.Take(5))}" : ""));
        using var _ = no_grad();
        net.Thaw();
        foreach (var (name, p) in expected)
        {
            var t = byName[name];
            if (!t.Shape.SequenceEqual(p.shape))
                throw new GenreException($"{path}: weight '{name}' has shape [{string.Join(", ", t.Shape)}], the network needs [{string.Join(", ", p.shape)}]");
            if (t.Data.Any(v => !float.IsFinite(v)))
                throw new GenreException($"{path}: weight '{name}' contains NaN or infinite values");
            using var source = tensor(t.Data, t.Shape);
            p.copy_(source);
        }
    }
}
