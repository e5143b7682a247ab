using Genre.Data;
using Genre.Model;
using static TorchSharp.torch;

namespace Genre.Training;

/// <summary>Turns chunk images into network input tensors (batch, 1, H, W), normalised as the model expects.</summary>
public sealed class Batches(FeatureSet set, InputNormalization normalization)
{
    readonly int _size = set.Settings.ImageSize;
    float[] _buffer = [];

    public Tensor Inputs(ReadOnlySpan<int> chunks)
    {
        int n = chunks.Length;
        if (_buffer.Length != n * _size) _buffer = new float[n * _size];
        for (int i = 0; i < n; i++)
        {
            var slot = _buffer.AsSpan(i * _size, _size);
            set.Images[chunks[i]].CopyTo(slot);
            normalization.Apply(slot);
        }
        return tensor(_buffer, [n, 1, set.Settings.ImageHeight, set.Settings.ImageWidth]);
    }

    public Tensor Labels(ReadOnlySpan<int> chunks)
    {
        var labels = new long[chunks.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = set.Label(chunks[i]);
        return tensor(labels);
    }

    /// <summary>Input tensor for images that are not part of a feature set (prediction).</summary>
    public static Tensor FromImages(IReadOnlyList<float[]> images, int height, int width, InputNormalization normalization) =>
        tensor(Normalized(images, height * width, normalization), [images.Count, 1, height, width]);

    /// <summary>The images one after the other, normalised: the (batch, 1, H, W) input of any engine.</summary>
    public static float[] Normalized(IReadOnlyList<float[]> images, int imageSize, InputNormalization normalization)
    {
        var buffer = new float[images.Count * imageSize];
        for (int i = 0; i < images.Count; i++)
        {
            var slot = buffer.AsSpan(i * imageSize, imageSize);
            images[i].CopyTo(slot);
            normalization.Apply(slot);
        }
        return buffer;
    }
}
