using Genre.Features;

namespace Genre.Tests.Features;

public class MelSpectrogramTests
{
    // The bound: error below 1e-4 of each spectrogram's maximum.
    const double Tolerance = 1e-4;

    [Fact]
    public void Filter_bank_equals_torchaudio_slaney()
    {
        var (expected, shape) = Fixtures.Load("mel_filters.npy");
        Assert.Equal(new[] { 128, 1025 }, shape);
        var dense = MelFilterBank.Dense(22050, 2048, 128, 0, 11025);
        var actual = dense.SelectMany(r => r.Select(w => (float)w)).ToArray();
        Assert.True(Fixtures.RelativeError(actual, expected) < 1e-6);
    }

    [Theory]
    [InlineData("mel_input.npy", "mel_power.npy")]
    [InlineData("mel_short_input.npy", "mel_short_power.npy")]
    public void Power_mel_equals_torchaudio(string input, string output)
    {
        var (signal, _) = Fixtures.Load(input);
        var (expected, shape) = Fixtures.Load(output);
        var mel = new MelSpectrogram(FeatureSettings.Default);
        Assert.Equal(shape[1], mel.Frames(signal.Length));
        var actual = new float[shape[0] * shape[1]];
        mel.Compute(signal, actual);
        double error = Fixtures.RelativeError(actual, expected);
        Assert.True(error < Tolerance, $"relative error {error:E2}");
    }

    [Fact]
    public void Decibels_equal_librosa_power_to_db_ref_max()
    {
        var (power, _) = Fixtures.Load("mel_power.npy");
        var (expected, _) = Fixtures.Load("mel_db.npy");
        Decibels.FromPowerRelativeToMax(power, 80);
        double maxErr = power.Zip(expected, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxErr < 1e-3, $"max dB error {maxErr}"); // 1e-3 dB of an 80-dB range
        Assert.Equal(0f, power.Max(), 3);
        Assert.Equal(-80f, power.Min());
    }

    [Fact]
    public void Sine_peaks_in_the_band_of_its_frequency()
    {
        var s = FeatureSettings.Default;
        var signal = Signals.Sine(1000, 4, s.SampleRate);
        var mel = new MelSpectrogram(s);
        int frames = mel.Frames(signal.Length);
        var spec = new float[128 * frames];
        mel.Compute(signal, spec);
        int best = Enumerable.Range(0, 128).MaxBy(m => spec[m * frames + frames / 2]);
        double low = MelFilterBank.MelToHz(MelFilterBank.HzToMel(11025) * best / 129.0);
        double high = MelFilterBank.MelToHz(MelFilterBank.HzToMel(11025) * (best + 2) / 129.0);
        Assert.InRange(1000, low, high);
    }
}

public class BilinearResizeTests
{
    [Theory]
    [InlineData("resize_input.npy", "resize_output.npy")]
    [InlineData("resize_up_input.npy", "resize_up_output.npy")]
    public void Equals_torch_interpolate_bilinear_half_pixel(string input, string output)
    {
        var (x, inShape) = Fixtures.Load(input);
        var (expected, outShape) = Fixtures.Load(output);
        var resize = new BilinearResize(inShape[0], inShape[1], outShape[0], outShape[1]);
        var actual = new float[expected.Length];
        resize.Apply(x, actual);
        double error = Fixtures.RelativeError(actual, expected);
        Assert.True(error < 1e-5, $"relative error {error:E2}");
    }

    [Fact]
    public void Same_size_is_identity()
    {
        var x = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var y = new float[12];
        new BilinearResize(3, 4, 3, 4).Apply(x, y);
        Assert.Equal(x, y);
    }
}

public class RealFftTests
{
    /// <summary>Every FFT size the settings allow against a direct DFT in double precision (all code paths: scalar, pairs, AVX first pass, final radix-2).</summary>
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(512)]
    [InlineData(1024)]
    [InlineData(2048)]
    [InlineData(4096)]
    public void Power_spectrum_equals_a_direct_dft(int n)
    {
        var rng = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var power = new float[n / 2 + 1];
        new RealFft(n).Power(x, power);
        double max = 0, err = 0;
        for (int k = 0; k <= n / 2; k++)
        {
            double re = 0, im = 0;
            for (int t = 0; t < n; t++) { re += x[t] * Math.Cos(2 * Math.PI * k * t / n); im -= x[t] * Math.Sin(2 * Math.PI * k * t / n); }
            double p = re * re + im * im;
            max = Math.Max(max, p);
            err = Math.Max(err, Math.Abs(p - power[k]));
        }
        Assert.True(err / max < 1e-5, $"n={n}: relative error {err / max:E2}");
    }
}
