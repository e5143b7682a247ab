namespace Genre.Prediction;

/// <summary>
/// Another engine for a model's network: chunk images in (as the feature extractor makes them, not yet
/// normalised), softmax probabilities out, row-major (chunk, genre). Must be safe to call from several
/// threads. Without one, <see cref="Predictor"/> runs the model's own TorchSharp network.
/// </summary>
public interface IChunkScorer : IDisposable
{
    float[] Probabilities(IReadOnlyList<float[]> images);
}

/// <summary>Which engine runs the network: TorchSharp (libtorch) or ONNX Runtime on the exported graph.</summary>
public enum Backend { Torch, Onnx }
