using Genre.Features;
using Genre.Model;
using Genre.Reports;
using Genre.Training;
using System.Text.Json;
using PureHDF;

namespace Genre.Interop;

/// <summary>What an import or export did, for the command line to report.</summary>
public sealed record KerasTransfer(Architecture Architecture, ModelConfig Config, int WeightedLayers, long Parameters, int HistoryEpochs);

/// <summary>
/// Keras 2 HDF5 model files (<c>model.save("Trained_model.h5")</c> in TensorFlow 2), read and written
/// with PureHDF (managed code, no native HDF5). The layout: root attributes <c>model_config</c> (the
/// model's JSON), <c>keras_version</c> and <c>backend</c>; group <c>model_weights</c> with attribute
/// <c>layer_names</c>, one group per layer with attribute <c>weight_names</c> (e.g. "conv2d/kernel:0"),
/// and the weights as float32 datasets at those names inside the layer's group.
/// </summary>
public static class KerasHdf5
{
    /// <summary>GTZAN's genres in alphabetical order: the tutorial's label order.</summary>
    public static readonly IReadOnlyList<string> GtzanGenres = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"];

    /// <summary>The tutorial's features: raw mel power, resized to the model's input size (150x150 for the tutorial).</summary>
    public static FeatureSettings TutorialFeatures(int height, int width) =>
        new() { Scale = MelScale.Power, ImageHeight = height, ImageWidth = width };

    /// <summary>Reads a Keras .h5 model and writes a MODEL_DIR (config.json, model.safetensors, and history.json with plots when a history is given).</summary>
    /// <param name="genres">Labels in the model's output order; null means GTZAN's ten genres.</param>
    public static KerasTransfer Import(string h5Path, string modelDir, string? historyPath = null, IReadOnlyList<string>? genres = null)
    {
        if (!File.Exists(h5Path)) throw new GenreException($"{h5Path}: not found");
        if (Directory.Exists(modelDir) && Directory.EnumerateFileSystemEntries(modelDir).Any())
            throw new GenreException($"{modelDir}: already exists and is not empty; choose a new --out folder");
        var (network, tensors, saved) = Read(h5Path);
        var arch = network.Architecture;
        genres ??= saved?.Genres ?? GtzanGenres;
        if (genres.Count != arch.Classes)
            throw new GenreException($"{h5Path}: the model has {arch.Classes} outputs but {genres.Count} genres were given ({string.Join(",", genres)}); pass --genres with {arch.Classes} names in the model's output order");
        if (genres.Distinct().Count() != genres.Count || genres.Any(string.IsNullOrWhiteSpace))
            throw new GenreException($"genres must be distinct non-empty names, got {string.Join(",", genres)}");
        History? history = historyPath is null ? null : History.Load(historyPath);

        var features = saved?.Features ?? TutorialFeatures(arch.InputHeight, arch.InputWidth);
        var config = saved is not null
            ? saved with { Genres = genres.ToList(), Created = DateTimeOffset.UtcNow, LibraryVersion = LibraryInfo.Version }
            : new ModelConfig
            {
                Architecture = arch.Name,
                Genres = genres.ToList(),
                Features = features,
                Normalization = InputNormalization.For(features),
                Split = "chunks", // the tutorial split its chunks at random
                BestEpoch = history?.Epochs,
            };
        Reports.StorageErrors.CreateDirectory(modelDir);
        SafeTensors.Write(Path.Combine(modelDir, ModelStore.WeightsFile), tensors,
            new Dictionary<string, string> { ["format"] = "pt", ["architecture"] = arch.Name, ["source"] = "keras:" + Path.GetFileName(h5Path) });
        if (history is not null)
        {
            history.Save(Path.Combine(modelDir, ModelStore.HistoryFile));
            TrainingPlots.Save(history, modelDir, config.Split);
        }
        // Which songs Keras trained on is unknown: an empty split record lets evaluate run (it re-splits chunks, marked inflated, or calls every song unseen).
        AtomicFile.WriteAllText(Path.Combine(modelDir, ModelStore.SplitFile), JsonSerializer.Serialize(new SplitRecord(config.Split, [], []), ModelConfig.Json) + "\n");
        config.Save(Path.Combine(modelDir, ModelStore.ConfigFile)); // last: a folder with config.json is complete
        return new KerasTransfer(arch, config, network.WeightedLayers.Count, arch.TotalParameters, history?.Epochs ?? 0);
    }

    /// <summary>Writes a MODEL_DIR's network as a Keras .h5 model that <c>tf.keras.models.load_model</c> opens.</summary>
    public static KerasTransfer Export(string modelDir, string h5Path)
    {
        var config = ModelConfig.Load(Path.Combine(modelDir, ModelStore.ConfigFile));
        var arch = config.BuildArchitecture();
        if (arch.IsResidual)
            throw new GenreException($"{modelDir}: a '{arch.Name}' network has no Keras Sequential form (export-keras takes the tutorial's seed and compact networks); " +
                "use ./genre export-onnx, which takes every network");
        string weightsPath = Path.Combine(modelDir, ModelStore.WeightsFile);
        var byName = SafeTensors.Read(weightsPath).Tensors.ToDictionary(t => t.Name);
        var layout = KerasLayout.Weights(arch);

        var layerGroups = new H5Group();
        var layerNames = new List<string>();
        foreach (var layer in arch.Layers)
        {
            layerNames.Add(layer.Name);
            var weights = layout.FirstOrDefault(w => w.Layer == layer.Name);
            var group = new H5Group();
            if (weights.Layer is null)
            {
                group.Attributes = new() { ["weight_names"] = Array.Empty<string>() };
            }
            else
            {
                var inner = new H5Group();
                foreach (var (w, kind) in new[] { (weights.Kernel, "kernel:0"), (weights.Bias, "bias:0") })
                {
                    var ours = Ours(byName, w, weightsPath);
                    inner[kind] = new H5Dataset(w.ToKeras(ours), fileDims: w.KerasShape.Select(d => (ulong)d).ToArray());
                }
                group[layer.Name] = inner;
                group.Attributes = new() { ["weight_names"] = new[] { $"{layer.Name}/kernel:0", $"{layer.Name}/bias:0" } };
            }
            layerGroups[layer.Name] = group;
        }
        layerGroups.Attributes = new()
        {
            ["layer_names"] = layerNames.ToArray(),
            ["backend"] = "tensorflow",
            ["keras_version"] = KerasModelConfig.KerasVersion,
        };
        var file = new H5File
        {
            ["model_weights"] = layerGroups,
        };
        file.Attributes = new()
        {
            ["model_config"] = KerasModelConfig.Build(arch),
            [ConfigAttribute] = JsonSerializer.Serialize(config, ModelConfig.Json),
            ["keras_version"] = KerasModelConfig.KerasVersion,
            ["backend"] = "tensorflow",
        };
        using var bytes = new MemoryStream();
        file.Write(bytes);
        AtomicFile.WriteAllBytes(h5Path, bytes.ToArray());
        return new KerasTransfer(arch, config, layout.Count, arch.TotalParameters, 0);
    }

    static ModelConfig SavedConfig(string json, KerasNetwork network, string h5Path)
    {
        ModelConfig? config;
        try { config = JsonSerializer.Deserialize<ModelConfig>(json, ModelConfig.Json); }
        catch (JsonException e) { throw new GenreException($"{h5Path}: attribute '{ConfigAttribute}' is corrupt ({e.Message})"); }
        var arch = network.Architecture;
        if (config?.Features is null || config.Genres is null || config.Normalization is null || config.Architecture != arch.Name
            || config.Genres.Count != arch.Classes || config.Features.InputHeight != arch.InputHeight || config.Features.InputWidth != arch.InputWidth
            || config.Features.Problems().Count > 0)
            throw new GenreException($"{h5Path}: attribute '{ConfigAttribute}' does not describe the model in model_config (edited by hand?); remove the attribute to import with the tutorial's settings");
        return config;
    }

    static float[] Ours(Dictionary<string, NamedTensor> byName, KerasLayout.Weight w, string path)
    {
        if (!byName.TryGetValue(w.Name, out var t))
            throw new GenreException($"{path}: weight '{w.Name}' is missing; the folder's weights do not match its config.json");
        if (!t.Shape.SequenceEqual(w.Shape))
            throw new GenreException($"{path}: weight '{w.Name}' has shape [{string.Join(", ", t.Shape)}], the network needs [{string.Join(", ", w.Shape)}]");
        return t.Data;
    }

    /// <summary>Root attribute with our config.json, written on export (Keras ignores it): import restores genres and feature settings from it.</summary>
    public const string ConfigAttribute = "genre_config";

    /// <summary>The network an .h5 file describes, its weights in our names, order and layout, and our config if we wrote the file.</summary>
    public static (KerasNetwork Network, List<NamedTensor> Weights, ModelConfig? Saved) Read(string h5Path)
    {
        try
        {
            using var file = H5File.OpenRead(h5Path);
            if (!file.AttributeExists("model_config"))
                throw new GenreException($"{h5Path}: no 'model_config' attribute: this is not a whole Keras model (files from save_weights() hold weights only); save it with model.save(\"model.h5\")");
            var network = KerasModelConfig.Parse(file.Attribute("model_config").Read<string>(), h5Path);
            var saved = file.AttributeExists(ConfigAttribute) ? SavedConfig(file.Attribute(ConfigAttribute).Read<string>(), network, h5Path) : null;
            if (!file.LinkExists("model_weights"))
                throw new GenreException($"{h5Path}: no 'model_weights' group; the file holds no weights");
            var root = file.Group("model_weights");
            var layout = KerasLayout.Weights(network.Architecture);
            var tensors = new List<NamedTensor>();
            for (int i = 0; i < layout.Count; i++)
            {
                string kerasName = network.WeightedLayers[i];
                var (_, kernel, bias) = layout[i];
                if (!root.LinkExists(kerasName)) throw new GenreException($"{h5Path}: layer '{kerasName}' has no weights in model_weights");
                var group = root.Group(kerasName);
                var names = group.AttributeExists("weight_names")
                    ? group.Attribute("weight_names").Read<string[]>()
                    : [$"{kerasName}/kernel:0", $"{kerasName}/bias:0"];
                foreach (var w in new[] { kernel, bias })
                {
                    // The kernel has rank 4 (Conv2D) or 2 (Dense), the bias rank 1; names differ between Keras versions.
                    string? name = names.FirstOrDefault(n => n.EndsWith(w == kernel ? "kernel:0" : "bias:0", StringComparison.Ordinal) || n.EndsWith(w == kernel ? "kernel" : "bias", StringComparison.Ordinal));
                    if (name is null || !group.LinkExists(name))
                        throw new GenreException($"{h5Path}: layer '{kerasName}' has no {(w == kernel ? "kernel" : "bias")} (weight_names: {string.Join(", ", names)})");
                    var dataset = group.Dataset(name);
                    var shape = dataset.Space.Dimensions.Select(d => (long)d).ToArray();
                    if (!shape.SequenceEqual(w.KerasShape))
                        throw new GenreException($"{h5Path}: '{kerasName}/{name}' has shape ({string.Join(", ", shape)}); the '{network.Architecture.Name}' network needs ({string.Join(", ", w.KerasShape)})");
                    if (dataset.Type.Class != H5DataTypeClass.FloatingPoint || dataset.Type.Size != 4)
                        throw new GenreException($"{h5Path}: '{kerasName}/{name}' is not float32 ({dataset.Type.Class}, {dataset.Type.Size} bytes); save the model in float32");
                    var data = w.FromKeras(dataset.Read<float[]>());
                    if (data.Any(v => !float.IsFinite(v)))
                        throw new GenreException($"{h5Path}: '{kerasName}/{name}' contains NaN or infinite values");
                    tensors.Add(new NamedTensor(w.Name, w.Shape, data));
                }
            }
            return (network, tensors, saved);
        }
        catch (Exception e) when (e is not GenreException and not OutOfMemoryException and not OperationCanceledException)
        {
            throw new GenreException($"{h5Path}: not a readable HDF5 file ({e.Message})");
        }
    }
}
