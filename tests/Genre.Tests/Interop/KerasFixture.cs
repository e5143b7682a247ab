using System.Text.Json.Nodes;
using PureHDF;

namespace Genre.Tests.Interop;

/// <summary>
/// Keras-layout .h5 files written the way Keras 2 writes them, independently of the library's exporter,
/// holding weights from the formula of tools/make_keras_fixtures.py (exact in float32).
/// </summary>
static class KerasFixture
{
    /// <summary>The tutorial's network and its compact sibling, as Keras layers: kind, size, padding or activation.</summary>
    public static List<(string Kind, double Size, string Mode)> Network(string arch, int classes)
    {
        var (filters, dropoutAfter, dense, denseDropout) = arch switch
        {
            "seed" => (new[] { 32, 64, 128, 256, 512 }, new[] { 2, 4 }, 1200, 0.45),
            "compact" => (new[] { 16, 32, 64, 128 }, new[] { 3 }, 64, 0.3),
            _ => throw new ArgumentException(arch),
        };
        var layers = new List<(string, double, string)>();
        for (int i = 0; i < filters.Length; i++)
        {
            layers.Add(("conv", filters[i], "same"));
            layers.Add(("conv", filters[i], "valid"));
            layers.Add(("pool", 2, ""));
            if (dropoutAfter.Contains(i)) layers.Add(("dropout", 0.3, ""));
        }
        layers.Add(("flatten", 0, ""));
        layers.Add(("dense", dense, "relu"));
        layers.Add(("dropout", denseDropout, ""));
        layers.Add(("dense", classes, "softmax"));
        return layers;
    }

    /// <summary>((k - 1001) / 1001) * scale with k = (7919 i + 104729 salt) mod 2003, in float32.</summary>
    public static float[] Formula(long count, int salt, float scale)
    {
        var v = new float[count];
        for (long i = 0; i < count; i++)
        {
            long k = (i * 7919 + salt * 104729L) % 2003;
            v[i] = (float)(k - 1001) / 1001f * scale;
        }
        return v;
    }

    static float KernelScale(long fanIn)
    {
        int e = (int)(63 - long.LeadingZeroCount(fanIn)) / 2; // (bit_length - 1) // 2
        return MathF.Pow(2, 1 - e);
    }

    /// <summary>Kernel (Keras shape) and bias of every weighted layer, from the formula.</summary>
    public static List<(float[] Kernel, ulong[] Shape, float[] Bias)> Weights(List<(string Kind, double Size, string Mode)> layers, int height, int width)
    {
        var list = new List<(float[], ulong[], float[])>();
        long channels = 1, h = height, w = width, flat = 0;
        foreach (var (kind, size, mode) in layers)
        {
            int n = list.Count, units = (int)size;
            switch (kind)
            {
                case "conv":
                    list.Add((Formula(9 * channels * units, 2 * n, KernelScale(9 * channels)), [3, 3, (ulong)channels, (ulong)units], Formula(units, 2 * n + 1, 1 / 16f)));
                    channels = units;
                    if (mode == "valid") { h -= 2; w -= 2; }
                    break;
                case "pool": h /= 2; w /= 2; break;
                case "flatten": flat = channels * h * w; break;
                case "dense":
                    list.Add((Formula(flat * units, 2 * n, KernelScale(flat)), [(ulong)flat, (ulong)units], Formula(units, 2 * n + 1, 1 / 16f)));
                    flat = units;
                    break;
            }
        }
        return list;
    }

    /// <summary>Writes a Keras 2 model file of the network; <paramref name="names"/> renames layers (Keras numbers them per session).</summary>
    public static void Write(string path, string arch, int classes, int height = 150, int width = 150,
        Func<string, string>? names = null, Action<JsonArray>? editLayers = null)
    {
        names ??= n => n;
        var layers = Network(arch, classes);
        var weights = Weights(layers, height, width);
        var counts = new Dictionary<string, int>();
        string Next(string kind)
        {
            int n = counts.GetValueOrDefault(kind);
            counts[kind] = n + 1;
            return names(n == 0 ? kind : $"{kind}_{n}");
        }
        var shape = new JsonArray(null, height, width, 1);
        var json = new JsonArray { Layer("InputLayer", new JsonObject { ["batch_input_shape"] = shape.DeepClone(), ["dtype"] = "float32", ["name"] = "conv2d_input" }) };
        var modelWeights = new H5Group();
        var layerNames = new List<string>();
        int weighted = 0;
        foreach (var (kind, size, mode) in layers)
        {
            var (cls, name, config) = kind switch
            {
                "conv" => ("Conv2D", Next("conv2d"), new JsonObject { ["filters"] = (int)size, ["kernel_size"] = new JsonArray(3, 3), ["strides"] = new JsonArray(1, 1), ["padding"] = mode, ["activation"] = "relu", ["use_bias"] = true, ["data_format"] = "channels_last", ["dilation_rate"] = new JsonArray(1, 1) }),
                "pool" => ("MaxPooling2D", Next("max_pooling2d"), new JsonObject { ["pool_size"] = new JsonArray(2, 2), ["strides"] = new JsonArray(2, 2), ["padding"] = "valid" }),
                "dropout" => ("Dropout", Next("dropout"), new JsonObject { ["rate"] = size }),
                "flatten" => ("Flatten", Next("flatten"), new JsonObject()),
                _ => ("Dense", Next("dense"), new JsonObject { ["units"] = (int)size, ["activation"] = mode, ["use_bias"] = true }),
            };
            config["name"] = name;
            if (layerNames.Count == 0) config["batch_input_shape"] = shape.DeepClone();
            json.Add(Layer(cls, config));
            layerNames.Add(name);
            var group = new H5Group();
            if (kind is "conv" or "dense")
            {
                var (kernel, kernelShape, bias) = weights[weighted++];
                group[name] = new H5Group
                {
                    ["kernel:0"] = new H5Dataset(kernel, fileDims: kernelShape),
                    ["bias:0"] = new H5Dataset(bias, fileDims: [(ulong)bias.Length]),
                };
                group.Attributes = new() { ["weight_names"] = new[] { $"{name}/kernel:0", $"{name}/bias:0" } };
            }
            else group.Attributes = new() { ["weight_names"] = Array.Empty<string>() };
            modelWeights[name] = group;
        }
        editLayers?.Invoke(json);
        modelWeights.Attributes = new() { ["layer_names"] = layerNames.ToArray(), ["backend"] = "tensorflow", ["keras_version"] = "2.12.0" };
        var model = new JsonObject { ["class_name"] = "Sequential", ["config"] = new JsonObject { ["name"] = "sequential", ["layers"] = json }, ["keras_version"] = "2.12.0", ["backend"] = "tensorflow" };
        var file = new H5File { ["model_weights"] = modelWeights };
        file.Attributes = new() { ["model_config"] = model.ToJsonString(), ["keras_version"] = "2.12.0", ["backend"] = "tensorflow" };
        file.Write(path);
    }

    static JsonObject Layer(string cls, JsonObject config) => new() { ["class_name"] = cls, ["config"] = config };

    /// <summary>The committed input images (2, 150, 150) and the reference outputs of the Keras forward pass.</summary>
    public static (float[] Input, float[] Logits, float[] Probabilities) Reference(string arch) =>
        (Fixtures.Load("keras_input.npy").Data, Fixtures.Load($"keras_{arch}_logits.npy").Data, Fixtures.Load($"keras_{arch}_probs.npy").Data);
}
