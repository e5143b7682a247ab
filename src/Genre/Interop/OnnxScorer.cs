using Genre.Model;
using Genre.Prediction;
using Genre.Training;
using Microsoft.ML.OnnxRuntime;

namespace Genre.Interop;

/// <summary>Runs a model's ONNX graph (from <see cref="OnnxExport"/>) with ONNX Runtime on the CPU.</summary>
public sealed class OnnxScorer : IChunkScorer
{
    readonly InferenceSession _session;
    readonly ModelConfig _config;

    public OnnxScorer(byte[] onnxModel, ModelConfig config)
    {
        _config = config;
        try { _session = new InferenceSession(onnxModel); }
        catch (OnnxRuntimeException e) { throw new GenreException($"ONNX Runtime refused the model ({e.Message})"); }
    }

    /// <summary>Exports the model's network to ONNX in memory and loads it into ONNX Runtime.</summary>
    public static OnnxScorer For(TrainedModel model) => new(OnnxExport.ToBytes(model), model.Config);

    /// <summary>The scorer for a backend: null for TorchSharp (the model's own network), ONNX Runtime otherwise.</summary>
    public static IChunkScorer? For(TrainedModel model, Backend backend) => backend == Backend.Onnx ? For(model) : null;

    public float[] Probabilities(IReadOnlyList<float[]> images)
    {
        var f = _config.Features;
        var input = Batches.Normalized(images, f.InputSize, _config.Normalization);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [images.Count, 1, f.InputHeight, f.InputWidth]);
        using var options = new RunOptions();
        using var outputs = _session.Run(options, [OnnxExport.InputName], [tensor], [OnnxExport.OutputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose() => _session.Dispose();
}
