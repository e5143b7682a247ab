using System.Text.Json.Nodes;
using Genre.Features;
using Genre.Interop;
using Genre.Model;
using Genre.Training;
using PureHDF;
using static TorchSharp.torch;

namespace Genre.Tests.Interop;

public class KerasTests
{
    /// <summary>Logits of the two fixture images through an imported model (our channels-first network, float32).</summary>
    static float[] Logits(TrainedModel model)
    {
        var (input, _, _) = KerasFixture.Reference(model.Config.Architecture);
        var images = new[] { input[..22500], input[22500..] };
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = Batches.FromImages(images, 150, 150, model.Config.Normalization);
        return model.Network.call(x).data<float>().ToArray();
    }

    static float[] Softmax(float[] logits, int k)
    {
        var p = new float[logits.Length];
        for (int r = 0; r < logits.Length / k; r++)
        {
            var row = logits.AsSpan(r * k, k);
            float max = row.ToArray().Max();
            double sum = 0;
            for (int i = 0; i < k; i++) sum += Math.Exp(row[i] - max);
            for (int i = 0; i < k; i++) p[r * k + i] = (float)(Math.Exp(row[i] - max) / sum);
        }
        return p;
    }

    [Theory]
    [InlineData("seed", 10)]
    [InlineData("compact", 6)]
    public void An_imported_keras_model_computes_what_keras_computes(string arch, int classes)
    {
        // Given a Keras 2 .h5 of the network, with Keras' layer numbering of a second model in a session
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("model.h5"), arch, classes, names: n => n.Replace("conv2d", "conv2d_1").Replace("dense", "dense_2"));
        var genres = Enumerable.Range(0, classes).Select(i => $"g{i}").ToList();

        // When it is imported
        var result = KerasHdf5.Import(dir.File("model.h5"), dir.File("m"), genres: classes == 10 ? null : genres);

        // Then the architecture is recognised, the features are the tutorial's, and outputs match Keras' forward pass
        Assert.Equal(arch, result.Architecture.Name);
        using var model = ModelStore.Load(dir.File("m"));
        Assert.Equal(arch, model.Config.Architecture);
        Assert.Equal(MelScale.Power, model.Config.Features.Scale);
        Assert.Equal((150, 150), (model.Config.Features.ImageHeight, model.Config.Features.ImageWidth));
        Assert.Equal(classes == 10 ? KerasHdf5.GtzanGenres : genres, model.Config.Genres);
        var (_, expectedLogits, expectedProbs) = KerasFixture.Reference(arch);
        var logits = Logits(model);
        // float32 sums of up to 6,272 products over 12 layers, against a float64 reference (measured: 1.3e-5 to 2.6e-5)
        Assert.True(Fixtures.RelativeError(logits, expectedLogits) < 1e-4, $"logits differ: {Fixtures.RelativeError(logits, expectedLogits)}");
        var probs = Softmax(logits, classes);
        for (int i = 0; i < probs.Length; i++) Assert.InRange(probs[i] - expectedProbs[i], -1e-5, 1e-5);
        // and the reference is not trivial: the two images get different, non-uniform answers
        Assert.True(expectedProbs.Max() - expectedProbs.Min() > 0.03);
    }

    [Fact]
    public void Export_then_import_round_trips_bit_exactly()
    {
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("in.h5"), "seed", 10);
        KerasHdf5.Import(dir.File("in.h5"), dir.File("a"));
        KerasHdf5.Export(dir.File("a"), dir.File("out.h5"));
        KerasHdf5.Import(dir.File("out.h5"), dir.File("b"));

        var a = SafeTensors.Read(dir.File("a/model.safetensors")).Tensors;
        var b = SafeTensors.Read(dir.File("b/model.safetensors")).Tensors;
        Assert.Equal(a.Select(t => t.Name), b.Select(t => t.Name));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Shape, b[i].Shape);
            Assert.True(a[i].Data.AsSpan().SequenceEqual(b[i].Data), a[i].Name);
        }

        // The exported file has Keras' layout: the original datasets, bit for bit, and the attributes Keras' loader reads
        using var original = H5File.OpenRead(dir.File("in.h5"));
        using var exported = H5File.OpenRead(dir.File("out.h5"));
        var layerNames = exported.Group("model_weights").Attribute("layer_names").Read<string[]>();
        Assert.Equal(original.Group("model_weights").Attribute("layer_names").Read<string[]>(), layerNames);
        Assert.Equal("2.15.0", exported.Attribute("keras_version").Read<string>());
        foreach (var name in new[] { "conv2d", "conv2d_9", "dense", "dense_1" })
        {
            var weightNames = exported.Group($"model_weights/{name}").Attribute("weight_names").Read<string[]>();
            Assert.Equal([$"{name}/kernel:0", $"{name}/bias:0"], weightNames);
            foreach (var w in weightNames)
            {
                var x = original.Dataset($"model_weights/{name}/{w}");
                var y = exported.Dataset($"model_weights/{name}/{w}");
                Assert.Equal(x.Space.Dimensions, y.Space.Dimensions);
                Assert.True(x.Read<float[]>().AsSpan().SequenceEqual(y.Read<float[]>()), $"{name}/{w}");
            }
        }
        var config = JsonNode.Parse(exported.Attribute("model_config").Read<string>())!;
        Assert.Equal("Sequential", config["class_name"]!.GetValue<string>());
        Assert.Equal("InputLayer", config["config"]!["layers"]![0]!["class_name"]!.GetValue<string>());
    }

    [Fact]
    public void The_training_history_comes_along_with_its_plots()
    {
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("model.h5"), "compact", 10);
        File.WriteAllText(dir.File("training_hist.json"),
            """{"loss": [1.9, 1.2, 0.8], "accuracy": [0.3, 0.55, 0.7], "val_loss": [1.7, 1.3, 1.1], "val_accuracy": [0.35, 0.5, 0.6]}""");
        var result = KerasHdf5.Import(dir.File("model.h5"), dir.File("m"), dir.File("training_hist.json"));
        Assert.Equal(3, result.HistoryEpochs);
        var history = History.Load(dir.File("m/history.json"));
        Assert.Equal([0.35, 0.5, 0.6], history.ValAccuracy);
        Assert.True(File.Exists(dir.File("m/accuracy.png")) && File.Exists(dir.File("m/loss.png")));
    }

    [Fact]
    public void Unsupported_layers_are_refused_by_name()
    {
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("bn.h5"), "compact", 10, editLayers: layers =>
            layers.Insert(2, new JsonObject { ["class_name"] = "BatchNormalization", ["config"] = new JsonObject { ["name"] = "batch_normalization" } }));
        var e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("bn.h5"), dir.File("m")));
        Assert.Contains("'batch_normalization' (BatchNormalization) is not supported", e.Message);
        Assert.False(Directory.Exists(dir.File("m")));

        KerasFixture.Write(dir.File("tanh.h5"), "compact", 10, editLayers: layers => layers[1]!["config"]!["activation"] = "tanh");
        e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("tanh.h5"), dir.File("m")));
        Assert.Contains("layer 'conv2d' (Conv2D) has activation 'tanh'", e.Message);

        KerasFixture.Write(dir.File("wide.h5"), "compact", 10, editLayers: layers => layers[1]!["config"]!["filters"] = 24);
        e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("wide.h5"), dir.File("m")));
        Assert.Contains("none of the known architectures", e.Message);
    }

    [Fact]
    public void Wrong_shapes_genre_counts_and_weight_only_files_are_refused()
    {
        using var dir = new TempDir();
        // model_config says 160x160, the weights are for 150x150: the first dense kernel has the wrong number of rows
        KerasFixture.Write(dir.File("m.h5"), "compact", 10, editLayers: layers =>
        {
            layers[0]!["config"]!["batch_input_shape"] = new JsonArray(null, 160, 160, 1);
            layers[1]!["config"]!["batch_input_shape"] = new JsonArray(null, 160, 160, 1);
        });
        var e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("m.h5"), dir.File("out")));
        Assert.Contains("'dense/dense/kernel:0' has shape (6272, 64); the 'compact' network needs (8192, 64)", e.Message);

        KerasFixture.Write(dir.File("six.h5"), "compact", 6);
        e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("six.h5"), dir.File("out")));
        Assert.Contains("6 outputs but 10 genres", e.Message);

        new H5File { ["model_weights"] = new H5Group() }.Write(dir.File("weights-only.h5"));
        e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("weights-only.h5"), dir.File("out")));
        Assert.Contains("no 'model_config' attribute", e.Message);

        File.WriteAllText(dir.File("text.h5"), "not hdf5 at all");
        e = Assert.Throws<GenreException>(() => KerasHdf5.Import(dir.File("text.h5"), dir.File("out")));
        Assert.Contains("not a readable HDF5 file", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }
}
