using System.Text.Json;
using System.Text.Json.Nodes;
using Genre.Model;

namespace Genre.Interop;

/// <summary>A Keras model matched to one of our architectures: the Keras names of its Conv2D and Dense layers, in order.</summary>
public sealed record KerasNetwork(Architecture Architecture, IReadOnlyList<string> WeightedLayers);

/// <summary>
/// The JSON of a Keras <c>Sequential</c> model (<c>model.to_json()</c>, the <c>model_config</c> attribute
/// of an .h5 file): read into one of our architectures, or written from one. Only the layers this
/// family uses are accepted (Conv2D 3x3 stride 1 with ReLU, MaxPooling2D 2x2, Dropout, Flatten, Dense);
/// anything else is refused by name.
/// </summary>
public static class KerasModelConfig
{
    /// <summary>The Keras version written on export: the last Keras 2 line that TensorFlow 2 ships.</summary>
    public const string KerasVersion = "2.15.0";
    public const string Supported = "Conv2D (3x3, stride 1, ReLU, same or valid), MaxPooling2D (2x2), Dropout, Flatten, Dense (ReLU; softmax last)";

    public static KerasNetwork Parse(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new GenreException($"{source}: model_config is not valid JSON ({e.Message})"); }
        try { return Parse(root!, source); }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new GenreException($"{source}: model_config is not a Keras model description ({e.Message})");
        }
    }

    static KerasNetwork Parse(JsonNode root, string source)
    {
        string kind = root["class_name"]!.GetValue<string>();
        if (kind != "Sequential")
            throw new GenreException($"{source}: the model is a Keras '{kind}' model; only Sequential models of the tutorial's family are supported");
        var config = root["config"]!;
        var layers = (config as JsonArray ?? config["layers"]!.AsArray()).Select(l => l!).ToList();
        int? height = null, width = null;
        var signature = new List<string>();
        var weighted = new List<string>();
        foreach (var layer in layers)
        {
            string cls = layer["class_name"]!.GetValue<string>();
            var c = layer["config"]!;
            string name = c["name"]?.GetValue<string>() ?? cls;
            if ((c["batch_input_shape"] ?? c["batch_shape"]) is JsonArray shape)
            {
                var dims = shape.Select(d => d?.GetValue<int>()).ToList();
                if (dims.Count != 4 || dims[1] is null || dims[2] is null || dims[3] != 1)
                    throw new GenreException($"{source}: input shape [{string.Join(", ", dims.Select(d => d?.ToString() ?? "None"))}] of layer '{name}' is not (None, height, width, 1)");
                (height, width) = (dims[1], dims[2]);
            }
            void Refuse(string what) => throw new GenreException($"{source}: layer '{name}' ({cls}) {what}; supported: {Supported}");
            switch (cls)
            {
                case "InputLayer":
                    break;
                case "Conv2D":
                    if (!Pair(c["kernel_size"], 3)) Refuse($"has kernel size {c["kernel_size"]?.ToJsonString()}, not 3x3");
                    if (!Pair(c["strides"], 1) || (c["dilation_rate"] is not null && !Pair(c["dilation_rate"], 1))) Refuse("has a stride or dilation other than 1");
                    if (Text(c, "activation") != "relu") Refuse($"has activation '{Text(c, "activation")}', not relu");
                    if (c["use_bias"]?.GetValue<bool>() == false) Refuse("has no bias");
                    if (Text(c, "data_format") is { } f && f != "channels_last") Refuse($"has data_format '{f}'");
                    if ((c["groups"]?.GetValue<int>() ?? 1) != 1) Refuse("is a grouped convolution");
                    string padding = Text(c, "padding") ?? "valid";
                    if (padding is not ("same" or "valid")) Refuse($"has padding '{padding}'");
                    signature.Add($"Conv2D({c["filters"]!.GetValue<int>()}, {padding})");
                    weighted.Add(name);
                    break;
                case "MaxPooling2D" or "MaxPool2D":
                    if (!Pair(c["pool_size"], 2)) Refuse($"has pool size {c["pool_size"]?.ToJsonString()}, not 2x2");
                    if (c["strides"] is JsonNode s && !Pair(s, 2)) Refuse($"has strides {s.ToJsonString()}, not 2x2");
                    if ((Text(c, "padding") ?? "valid") != "valid") Refuse("has 'same' padding");
                    signature.Add("MaxPooling2D");
                    break;
                case "Dropout":
                    break; // the identity at inference; our architecture brings its own rates for training
                case "Flatten":
                    signature.Add("Flatten");
                    break;
                case "Dense":
                    string activation = Text(c, "activation") ?? "linear";
                    if (activation is not ("relu" or "softmax")) Refuse($"has activation '{activation}'");
                    if (c["use_bias"]?.GetValue<bool>() == false) Refuse("has no bias");
                    signature.Add($"Dense({c["units"]!.GetValue<int>()}, {activation})");
                    weighted.Add(name);
                    break;
                default:
                    Refuse("is not supported");
                    break;
            }
        }
        if (height is null || width is null)
            throw new GenreException($"{source}: model_config names no input shape (batch_input_shape); build the model with input_shape=(height, width, 1)");
        var last = signature.LastOrDefault() ?? "";
        if (!last.StartsWith("Dense(", StringComparison.Ordinal) || !last.EndsWith("softmax)", StringComparison.Ordinal))
            throw new GenreException($"{source}: the last layer is {(last == "" ? "missing" : last)}; a Dense layer with softmax is expected");
        int classes = int.Parse(last["Dense(".Length..last.IndexOf(',')]);
        string? sizeProblem = null;
        foreach (var name in Architecture.Names)
        {
            Architecture arch;
            try { arch = Architecture.Create(name, classes, height.Value, width.Value); }
            catch (GenreException e) { sizeProblem ??= e.Message; continue; }
            if (Signature(arch).SequenceEqual(signature)) return new KerasNetwork(arch, weighted);
        }
        throw new GenreException($"{source}: the Keras model ({string.Join(", ", signature)}) is none of the known architectures ({string.Join(", ", Architecture.Names)})" +
            (sizeProblem is null ? "; see ./genre summary --arch seed for the tutorial's network" : $"; {sizeProblem}"));
    }

    /// <summary>The layers that shape the computation, in Keras terms (dropout left out).</summary>
    static IEnumerable<string> Signature(Architecture arch) => arch.Layers.Select(l => l switch
    {
        ConvSpec c => $"Conv2D({c.Filters}, {(c.Same ? "same" : "valid")})",
        MaxPoolSpec => "MaxPooling2D",
        FlattenSpec => "Flatten",
        DenseSpec d => $"Dense({d.Units}, {(d.Relu ? "relu" : "softmax")})",
        _ => null,
    }).OfType<string>();

    static string? Text(JsonNode c, string key) => c[key]?.GetValue<string>();

    /// <summary>True for n, [n, n] or (n, n).</summary>
    static bool Pair(JsonNode? node, int n) => node switch
    {
        JsonArray a => a.Count == 2 && a.All(v => v!.GetValue<int>() == n),
        JsonValue v => v.GetValue<int>() == n,
        _ => false,
    };

    /// <summary>The model_config of an architecture, as Keras 2 (TensorFlow 2) writes it for the tutorial's Sequential model.</summary>
    public static string Build(Architecture arch)
    {
        var inputShape = new JsonArray(null, arch.InputHeight, arch.InputWidth, 1);
        var layers = new JsonArray
        {
            Layer("InputLayer", new JsonObject
            {
                ["batch_input_shape"] = inputShape.DeepClone(), ["dtype"] = "float32", ["sparse"] = false, ["ragged"] = false,
                ["name"] = arch.Layers[0].Name + "_input",
            }),
        };
        bool first = true;
        foreach (var layer in arch.Layers)
        {
            var c = new JsonObject { ["name"] = layer.Name, ["trainable"] = true, ["dtype"] = "float32" };
            if (first) c["batch_input_shape"] = inputShape.DeepClone();
            first = false;
            switch (layer)
            {
                case ConvSpec conv:
                    c["filters"] = conv.Filters; c["kernel_size"] = new JsonArray(3, 3); c["strides"] = new JsonArray(1, 1);
                    c["padding"] = conv.Same ? "same" : "valid"; c["data_format"] = "channels_last"; c["dilation_rate"] = new JsonArray(1, 1);
                    c["groups"] = 1; c["activation"] = "relu"; c["use_bias"] = true;
                    AddInitialisers(c);
                    layers.Add(Layer("Conv2D", c));
                    break;
                case MaxPoolSpec:
                    c["pool_size"] = new JsonArray(2, 2); c["padding"] = "valid"; c["strides"] = new JsonArray(2, 2); c["data_format"] = "channels_last";
                    layers.Add(Layer("MaxPooling2D", c));
                    break;
                case DropoutSpec d:
                    c["rate"] = d.Rate; c["noise_shape"] = null; c["seed"] = null;
                    layers.Add(Layer("Dropout", c));
                    break;
                case FlattenSpec:
                    c["data_format"] = "channels_last";
                    layers.Add(Layer("Flatten", c));
                    break;
                case DenseSpec d:
                    c["units"] = d.Units; c["activation"] = d.Relu ? "relu" : "softmax"; c["use_bias"] = true;
                    AddInitialisers(c);
                    layers.Add(Layer("Dense", c));
                    break;
            }
        }
        var root = new JsonObject
        {
            ["class_name"] = "Sequential",
            ["config"] = new JsonObject { ["name"] = "sequential", ["layers"] = layers },
            ["keras_version"] = KerasVersion,
            ["backend"] = "tensorflow",
        };
        return root.ToJsonString();
    }

    static JsonObject Layer(string cls, JsonObject config) => new() { ["class_name"] = cls, ["config"] = config };

    static void AddInitialisers(JsonObject c)
    {
        c["kernel_initializer"] = new JsonObject { ["class_name"] = "GlorotUniform", ["config"] = new JsonObject { ["seed"] = null } };
        c["bias_initializer"] = new JsonObject { ["class_name"] = "Zeros", ["config"] = new JsonObject() };
        foreach (var key in new[] { "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint" })
            c[key] = null;
    }
}
