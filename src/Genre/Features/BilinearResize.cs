namespace Genre.Features;

/// <summary>
/// Bilinear resize with half-pixel centres and no antialiasing: tf.image.resize(method="bilinear")
/// and torch's interpolate(mode="bilinear", align_corners=False). Weights are precomputed once per shape.
/// </summary>
public sealed class BilinearResize
{
    readonly int _inH, _inW, _outH, _outW;
    readonly int[] _y0, _y1, _x0, _x1;
    readonly float[] _wy, _wx;
    readonly float[] _rows; // vertical pass result: outH x inW

    public BilinearResize(int inHeight, int inWidth, int outHeight, int outWidth)
    {
        (_inH, _inW, _outH, _outW) = (inHeight, inWidth, outHeight, outWidth);
        (_y0, _y1, _wy) = Axis(inHeight, outHeight);
        (_x0, _x1, _wx) = Axis(inWidth, outWidth);
        _rows = new float[outHeight * inWidth];
    }

    static (int[] i0, int[] i1, float[] w) Axis(int inSize, int outSize)
    {
        var i0 = new int[outSize]; var i1 = new int[outSize]; var w = new float[outSize];
        double scale = (double)inSize / outSize;
        for (int o = 0; o < outSize; o++)
        {
            double src = Math.Max((o + 0.5) * scale - 0.5, 0);
            int lo = Math.Min((int)src, inSize - 1);
            i0[o] = lo;
            i1[o] = Math.Min(lo + 1, inSize - 1);
            w[o] = (float)(src - lo);
        }
        return (i0, i1, w);
    }

    /// <summary>Resizes a [inH][inW] row-major image into a [outH][outW] one.</summary>
    public void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        if (input.Length < _inH * _inW || output.Length < _outH * _outW) throw new ArgumentException("resize buffers too small");
        var rows = _rows.AsSpan();
        for (int y = 0; y < _outH; y++)
        {
            var a = input.Slice(_y0[y] * _inW, _inW);
            var b = input.Slice(_y1[y] * _inW, _inW);
            var r = rows.Slice(y * _inW, _inW);
            float w = _wy[y];
            for (int x = 0; x < _inW; x++) r[x] = a[x] + (b[x] - a[x]) * w;
        }
        for (int y = 0; y < _outH; y++)
        {
            var r = rows.Slice(y * _inW, _inW);
            var o = output.Slice(y * _outW, _outW);
            for (int x = 0; x < _outW; x++)
            {
                float p = r[_x0[x]], q = r[_x1[x]];
                o[x] = p + (q - p) * _wx[x];
            }
        }
    }
}
