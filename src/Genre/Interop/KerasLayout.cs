using Genre.Model;

namespace Genre.Interop;

/// <summary>
/// Where each of our weights sits in Keras' layout. Keras stores convolution kernels as (height, width,
/// in, out) and dense kernels as (in, out); ours are (out, in, height, width) and (out, in). Keras'
/// Flatten reads (height, width, channels), ours (channels, height, width), so the rows of the first
/// dense kernel are permuted too.
/// </summary>
internal static class KerasLayout
{
    /// <summary>One weight: our name and shape, the Keras shape, and for each of our elements its Keras index.</summary>
    public sealed record Weight(string Name, long[] Shape, long[] KerasShape, int[] KerasIndex)
    {
        public float[] FromKeras(ReadOnlySpan<float> keras)
        {
            var ours = new float[KerasIndex.Length];
            for (int i = 0; i < ours.Length; i++) ours[i] = keras[KerasIndex[i]];
            return ours;
        }

        public float[] ToKeras(ReadOnlySpan<float> ours)
        {
            var keras = new float[KerasIndex.Length];
            for (int i = 0; i < ours.Length; i++) keras[KerasIndex[i]] = ours[i];
            return keras;
        }
    }

    /// <summary>Kernel and bias of every Conv2D and Dense layer, in network order (the order of our weight file).</summary>
    public static IReadOnlyList<(string Layer, Weight Kernel, Weight Bias)> Weights(Architecture arch)
    {
        var shapes = arch.Shapes();
        var list = new List<(string, Weight, Weight)>();
        var input = new LayerShape(1, arch.InputHeight, arch.InputWidth);
        LayerShape? flattenedFrom = null;
        for (int l = 0; l < arch.Layers.Count; l++)
        {
            switch (arch.Layers[l])
            {
                case ConvSpec c:
                    list.Add((c.Name, Conv(c.Name, input.Channels, c.Filters), Bias(c.Name, c.Filters)));
                    break;
                case FlattenSpec:
                    flattenedFrom = input;
                    break;
                case DenseSpec d:
                    list.Add((d.Name, Dense(d.Name, input.Channels, d.Units, flattenedFrom), Bias(d.Name, d.Units)));
                    flattenedFrom = null;
                    break;
            }
            input = shapes[l];
        }
        return list;
    }

    static Weight Conv(string layer, int inChannels, int filters)
    {
        const int k = 3;
        var index = new int[filters * inChannels * k * k];
        int n = 0;
        for (int o = 0; o < filters; o++)
            for (int i = 0; i < inChannels; i++)
                for (int y = 0; y < k; y++)
                    for (int x = 0; x < k; x++)
                        index[n++] = ((y * k + x) * inChannels + i) * filters + o;
        return new Weight(layer + ".weight", [filters, inChannels, k, k], [k, k, inChannels, filters], index);
    }

    /// <param name="flattenedFrom">The (channels, height, width) shape flattened into this layer's input, if any.</param>
    static Weight Dense(string layer, int inputs, int units, LayerShape? flattenedFrom)
    {
        var index = new int[units * inputs];
        for (int j = 0; j < inputs; j++)
        {
            int row = j;
            if (flattenedFrom is { } s)
            {
                int c = j / (s.Height * s.Width), h = j / s.Width % s.Height, w = j % s.Width;
                row = (h * s.Width + w) * s.Channels + c;
            }
            for (int o = 0; o < units; o++) index[o * inputs + j] = row * units + o;
        }
        return new Weight(layer + ".weight", [units, inputs], [inputs, units], index);
    }

    static Weight Bias(string layer, int n) => new(layer + ".bias", [n], [n], Enumerable.Range(0, n).ToArray());
}
