using System.Runtime.InteropServices;
using System.Text.Json;
using Genre.Model;
using static TorchSharp.torch;

namespace Genre.Interop;

/// <summary>
/// Writes a network as an ONNX model (opset 17): Conv, Relu, MaxPool, Flatten, Gemm and Softmax on
/// channels-first input "input" (batch, 1, height, width), already normalised as config.json says (the residual
/// network adds BatchNormalization, Add, ReduceMean, ReduceMax and Concat);
/// output "probabilities" (batch, genres). Genres, feature settings and normalisation travel in the
/// model's metadata, so the file alone is enough to compute the right input and read the output.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 17;
    /// <summary>IR version 8 is the one that goes with opset 17 (ONNX 1.12).</summary>
    public const int IrVersion = 8;
    public const string InputName = "input", OutputName = "probabilities";

    /// <summary>Metadata keys written beside the graph.</summary>
    public const string GenresKey = "genres", FeaturesKey = "features", NormalizationKey = "normalization",
        ArchitectureKey = "architecture", ConfigKey = "genre_config";

    public static void Save(TrainedModel model, string path) => Reports.AtomicFile.WriteAllBytes(path, ToBytes(model));

    public static byte[] ToBytes(TrainedModel model)
    {
        var config = model.Config;
        var arch = model.Network.Architecture;
        var weights = Weights(model.Network);
        var graph = new ProtoWriter().String(2, $"genre_{arch.Name}");
        string x = InputName;
        foreach (var layer in arch.Layers)
        {
            string y = layer.Name;
            switch (layer)
            {
                case ConvSpec c:
                    graph.Message(1, Node("Conv", c.Name, [x, $"{c.Name}.weight", $"{c.Name}.bias"], y,
                        Ints("kernel_shape", 3, 3), Ints("strides", 1, 1), Ints("dilations", 1, 1),
                        Ints("pads", c.Same ? [1, 1, 1, 1] : [0, 0, 0, 0])));
                    graph.Message(1, Node("Relu", c.Name + "_relu", [y], c.Name + "_relu"));
                    y = c.Name + "_relu";
                    break;
                case MaxPoolSpec p:
                    graph.Message(1, Node("MaxPool", p.Name, [x], y, Ints("kernel_shape", 2, 2), Ints("strides", 2, 2)));
                    break;
                case FlattenSpec f:
                    // Flatten of NCHW keeps (channels, height, width) order: our dense rows need no permutation.
                    graph.Message(1, Node("Flatten", f.Name, [x], y, Int("axis", 1)));
                    break;
                case ConvBnSpec c:
                    graph.Message(1, Conv($"{c.Name}.conv", x, $"{c.Name}.conv_out", 1));
                    graph.Message(1, BatchNorm($"{c.Name}.bn", $"{c.Name}.conv_out", y));
                    graph.Message(1, Node("Relu", c.Name + "_relu", [y], c.Name + "_relu"));
                    y = c.Name + "_relu";
                    break;
                case ResidualSpec r:
                    string n = r.Name;
                    graph.Message(1, Conv($"{n}.conv1", x, $"{n}.c1", 1));
                    graph.Message(1, BatchNorm($"{n}.bn1", $"{n}.c1", $"{n}.b1"));
                    graph.Message(1, Node("Relu", $"{n}.relu1", [$"{n}.b1"], $"{n}.r1"));
                    graph.Message(1, Conv($"{n}.conv2", $"{n}.r1", $"{n}.c2", 1));
                    graph.Message(1, BatchNorm($"{n}.bn2", $"{n}.c2", $"{n}.b2"));
                    string identity = x;
                    if (weights.Any(w => w.Name == $"{n}.shortcut.weight"))
                    {
                        graph.Message(1, Conv($"{n}.shortcut", x, $"{n}.s", 0, kernel: 1));
                        graph.Message(1, BatchNorm($"{n}.shortcut_bn", $"{n}.s", $"{n}.sb"));
                        identity = $"{n}.sb";
                    }
                    graph.Message(1, Node("Add", $"{n}.add", [$"{n}.b2", identity], $"{n}.sum"));
                    graph.Message(1, Node("Relu", $"{n}.relu", [$"{n}.sum"], y));
                    break;
                case GlobalPoolSpec g:
                    graph.Message(1, Node("ReduceMean", $"{g.Name}.frequency", [x], $"{g.Name}.f", Ints("axes", 2), Int("keepdims", 0)));
                    graph.Message(1, Node("ReduceMean", $"{g.Name}.mean", [$"{g.Name}.f"], $"{g.Name}.m", Ints("axes", 2), Int("keepdims", 0)));
                    graph.Message(1, Node("ReduceMax", $"{g.Name}.max", [$"{g.Name}.f"], $"{g.Name}.x", Ints("axes", 2), Int("keepdims", 0)));
                    graph.Message(1, Node("Concat", g.Name, [$"{g.Name}.m", $"{g.Name}.x"], y, Int("axis", 1)));
                    break;
                case DenseSpec d:
                    graph.Message(1, Node("Gemm", d.Name, [x, $"{d.Name}.weight", $"{d.Name}.bias"], y, Int("transB", 1)));
                    if (d.Relu)
                    {
                        graph.Message(1, Node("Relu", d.Name + "_relu", [y], d.Name + "_relu"));
                        y = d.Name + "_relu";
                    }
                    break;
                default:
                    continue; // dropout is the identity at inference
            }
            x = y;
        }
        graph.Message(1, Node("Softmax", "softmax", [x], OutputName, Int("axis", 1)));
        foreach (var w in weights) graph.Message(5, Initializer(w));
        graph.Message(11, ValueInfo(InputName, "batch", 1, arch.InputHeight, arch.InputWidth));
        graph.Message(12, ValueInfo(OutputName, "batch", arch.Classes));

        var modelProto = new ProtoWriter()
            .Int(1, IrVersion)
            .String(2, "genre")
            .String(3, LibraryInfo.Version)
            .Message(7, graph)
            .Message(8, new ProtoWriter().String(1, "").Int(2, Opset));
        foreach (var (key, value) in Metadata(config))
            modelProto.Message(14, new ProtoWriter().String(1, key).String(2, value));
        return modelProto.ToArray();
    }

    public static IReadOnlyList<(string Key, string Value)> Metadata(ModelConfig config) =>
    [
        (GenresKey, JsonSerializer.Serialize(config.Genres)),
        (FeaturesKey, JsonSerializer.Serialize(config.Features, OneLine)),
        (NormalizationKey, JsonSerializer.Serialize(config.Normalization, OneLine)),
        (ArchitectureKey, config.Architecture),
        (ConfigKey, JsonSerializer.Serialize(config, OneLine)),
    ];

    static readonly JsonSerializerOptions OneLine = new(ModelConfig.Json) { WriteIndented = false };

    static List<NamedTensor> Weights(GenreNet net)
    {
        using var _ = no_grad();
        return net.NamedWeights().Select(w =>
        {
            using var cpu = w.Value.detach().cpu().contiguous().to_type(ScalarType.Float32);
            return new NamedTensor(w.Name, w.Value.shape, cpu.data<float>().ToArray());
        }).ToList();
    }

    /// <summary>A bias-free square convolution named after its weight (<paramref name="name"/>.weight).</summary>
    static ProtoWriter Conv(string name, string input, string output, long pad, long kernel = 3) =>
        Node("Conv", name, [input, $"{name}.weight"], output, Ints("kernel_shape", kernel, kernel), Ints("strides", 1, 1), Ints("dilations", 1, 1),
            Ints("pads", pad, pad, pad, pad));

    /// <summary>Inference-time batch normalisation with the layer's scale, shift and running statistics (epsilon as libtorch's).</summary>
    static ProtoWriter BatchNorm(string name, string input, string output) =>
        Node("BatchNormalization", name, [input, $"{name}.weight", $"{name}.bias", $"{name}.running_mean", $"{name}.running_var"], output,
            Float("epsilon", 1e-5f));

    static ProtoWriter Node(string op, string name, string[] inputs, string output, params ProtoWriter[] attributes)
    {
        var node = new ProtoWriter();
        foreach (var i in inputs) node.String(1, i);
        node.String(2, output).String(3, name).String(4, op);
        foreach (var a in attributes) node.Message(5, a);
        return node;
    }

    const int AttributeFloat = 1, AttributeInt = 2, AttributeInts = 7;
    static ProtoWriter Float(string name, float value) => new ProtoWriter().String(1, name).Float(2, value).Int(20, AttributeFloat);
    static ProtoWriter Int(string name, long value) => new ProtoWriter().String(1, name).Int(3, value).Int(20, AttributeInt);
    static ProtoWriter Ints(string name, params long[] values) => new ProtoWriter().String(1, name).PackedInts(8, values).Int(20, AttributeInts);

    const int ElementFloat = 1;
    static ProtoWriter Initializer(NamedTensor t) => new ProtoWriter()
        .PackedInts(1, t.Shape)
        .Int(2, ElementFloat)
        .String(8, t.Name)
        .Bytes(9, MemoryMarshal.AsBytes(t.Data.AsSpan())); // raw_data is little-endian, as this host

    /// <summary>A float tensor's name, element type and shape; the first dimension is symbolic.</summary>
    static ProtoWriter ValueInfo(string name, string batch, params long[] dims)
    {
        var shape = new ProtoWriter().Message(1, new ProtoWriter().String(2, batch));
        foreach (var d in dims) shape.Message(1, new ProtoWriter().Int(1, d));
        var tensorType = new ProtoWriter().Int(1, ElementFloat).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
