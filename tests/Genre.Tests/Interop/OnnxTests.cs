using Genre.Features;
using Genre.Interop;
using Genre.Model;
using Genre.Prediction;
using Genre.Training;
using Microsoft.ML.OnnxRuntime;
using static TorchSharp.torch;

namespace Genre.Tests.Interop;

public class OnnxTests
{
    static float[] TorchProbabilities(TrainedModel model, IReadOnlyList<float[]> images)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var f = model.Config.Features;
        var x = Batches.FromImages(images, f.InputHeight, f.InputWidth, model.Config.Normalization);
        return nn.functional.softmax(model.Network.call(x), 1).data<float>().ToArray();
    }

    static void AssertAgree(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.InRange(actual[i] - expected[i], -1e-5, 1e-5);
        // and the comparison means something: the answers are far from uniform
        Assert.True(expected.Max() - expected.Min() > 0.03, $"outputs are nearly uniform ({expected.Min()}..{expected.Max()})");
    }

    [Fact]
    public void Onnx_runtime_on_the_exported_graph_agrees_with_torchsharp()
    {
        // Given the tutorial's network with the Keras fixture's weights (power input, fed as is)
        using var dir = new TempDir();
        KerasFixture.Write(dir.File("model.h5"), "seed", 10);
        KerasHdf5.Import(dir.File("model.h5"), dir.File("m"));
        using var model = ModelStore.Load(dir.File("m"));
        var (input, _, keras) = KerasFixture.Reference("seed");
        var images = new[] { input[..22500], input[22500..] };

        // When the network runs in ONNX Runtime on the exported graph
        using var onnx = OnnxScorer.For(model);
        var probabilities = onnx.Probabilities(images);

        // Then it agrees with TorchSharp, and with Keras
        AssertAgree(TorchProbabilities(model, images), probabilities);
        AssertAgree(keras, probabilities);
    }

    [Fact]
    public void A_db_model_is_normalised_the_same_way_by_both_engines()
    {
        // A compact network with its own initial weights, on dB input that must be mapped to [0, 1]
        var features = FeatureSettings.Default;
        var config = new ModelConfig { Architecture = "compact", Genres = ["a", "b", "c", "d"], Features = features, Normalization = InputNormalization.For(features) };
        using var model = new TrainedModel(config, new GenreNet(config.BuildArchitecture(), seed: 7));
        model.Network.eval();
        var images = Enumerable.Range(0, 3).Select(n => KerasFixture.Formula(features.InputSize, 50 + n, 40).Select(v => v - 40).ToArray()).ToList();
        using var onnx = OnnxScorer.For(model);
        var torch = TorchProbabilities(model, images);
        var ort = onnx.Probabilities(images);
        for (int i = 0; i < torch.Length; i++) Assert.InRange(ort[i] - torch[i], -1e-5, 1e-5);

        // the predictor gives the same song answer with either engine
        var chunks = images.Select((im, i) => new FeatureChunk(i, i * 2.0, i * 2.0 + 4, im)).ToList();
        var a = new Predictor(model).Classify("song.wav", chunks, 8);
        var b = new Predictor(model, onnx).Classify("song.wav", chunks, 8);
        Assert.Equal(a.Genre, b.Genre);
        foreach (var g in config.Genres) Assert.InRange(b.Probabilities[g] - a.Probabilities[g], -1e-5, 1e-5);
    }

    [Fact]
    public void The_resnet_runs_the_same_in_onnx_runtime_batch_norms_and_pooling_included()
    {
        var features = FeatureSettings.Default;
        var config = new ModelConfig { Architecture = "resnet", Genres = ["a", "b", "c"], Features = features, Normalization = InputNormalization.For(features) };
        using var model = new TrainedModel(config, new GenreNet(config.BuildArchitecture(), seed: 11));
        // move the batch-norm statistics off their start, so that the export must carry them
        model.Network.train();
        using (TorchSharp.torch.no_grad())
            for (int i = 0; i < 3; i++) model.Network.call(TorchSharp.torch.rand([4, 1, features.InputHeight, features.InputWidth]) * 2);
        model.Network.eval();
        var images = Enumerable.Range(0, 3).Select(n => KerasFixture.Formula(features.InputSize, 60 + n, 40).Select(v => v - 40).ToArray()).ToList();
        using var onnx = OnnxScorer.For(model);
        var torch = TorchProbabilities(model, images);
        var ort = onnx.Probabilities(images);
        for (int i = 0; i < torch.Length; i++) Assert.InRange(ort[i] - torch[i], -1e-4, 1e-4);
    }

    [Fact]
    public void The_onnx_file_carries_genres_features_and_shapes()
    {
        using var dir = new TempDir();
        var features = FeatureSettings.Tutorial with { ImageHeight = 64, ImageWidth = 96 };
        var config = new ModelConfig { Architecture = "compact", Genres = ["jazz", "rock", "pop"], Features = features, Normalization = InputNormalization.For(features) };
        using var model = new TrainedModel(config, new GenreNet(config.BuildArchitecture()));
        OnnxExport.Save(model, dir.File("model.onnx"));

        using var session = new InferenceSession(dir.File("model.onnx"));
        var meta = session.ModelMetadata;
        Assert.Equal("genre", meta.ProducerName);
        Assert.Equal("""["jazz","rock","pop"]""", meta.CustomMetadataMap[OnnxExport.GenresKey]);
        Assert.Equal("compact", meta.CustomMetadataMap[OnnxExport.ArchitectureKey]);
        Assert.Contains("\"image_height\":64", meta.CustomMetadataMap[OnnxExport.FeaturesKey]);
        Assert.Equal("""{"offset":80,"scale":0.0125}""", meta.CustomMetadataMap[OnnxExport.NormalizationKey]);
        var input = session.InputMetadata[OnnxExport.InputName];
        Assert.Equal([-1, 1, 64, 96], input.Dimensions);
        Assert.Equal([-1, 3], session.OutputMetadata[OnnxExport.OutputName].Dimensions);
    }
}
