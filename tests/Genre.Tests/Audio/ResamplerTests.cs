using Genre.Audio;

namespace Genre.Tests.Audio;

public class ResamplerTests
{
    /// <summary>Energy of the best-fitting sine at <paramref name="hz"/> removed; returns (signal power, residual power).</summary>
    static (double Signal, double Residual) FitSine(float[] y, double hz, int rate, int skip)
    {
        double ss = 0, sc = 0, cc = 0, ys = 0, yc = 0;
        for (int i = skip; i < y.Length - skip; i++)
        {
            double s = Math.Sin(2 * Math.PI * hz * i / rate), c = Math.Cos(2 * Math.PI * hz * i / rate);
            ss += s * s; cc += c * c; sc += s * c; ys += y[i] * s; yc += y[i] * c;
        }
        double det = ss * cc - sc * sc;
        double a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
        double signal = 0, residual = 0;
        for (int i = skip; i < y.Length - skip; i++)
        {
            double fit = a * Math.Sin(2 * Math.PI * hz * i / rate) + b * Math.Cos(2 * Math.PI * hz * i / rate);
            signal += fit * fit;
            residual += (y[i] - fit) * (y[i] - fit);
        }
        return (signal, residual);
    }

    static double Power(float[] y, int skip) => y.Skip(skip).Take(y.Length - 2 * skip).Average(v => (double)v * v);

    [Theory]
    [InlineData(44100)]
    [InlineData(48000)]
    public void Tone_above_the_new_nyquist_is_attenuated_by_80_dB(int rate)
    {
        var x = Signals.Sine(15000, 1, rate, amplitude: 1);
        var y = Resampler.Resample(x, rate, 22050);
        double db = 10 * Math.Log10(Power(y, 2000) / Power(x, 0));
        Assert.True(db < -80, $"15 kHz tone at {rate} Hz came out at {db:F1} dB");
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(16000)]
    [InlineData(8000)]
    public void One_kHz_tone_has_thd_plus_n_below_minus_80_dB(int rate)
    {
        var x = Signals.Sine(1000, 1, rate, amplitude: 0.5);
        var y = Resampler.Resample(x, rate, 22050);
        var (signal, residual) = FitSine(y, 1000, 22050, 2000);
        double thdN = 10 * Math.Log10(residual / signal);
        Assert.True(thdN < -80, $"THD+N at {rate} Hz: {thdN:F1} dB");
    }

    [Theory]
    [InlineData(44100, 22050)]
    [InlineData(48000, 22050)]
    [InlineData(11025, 22050)]
    public void Length_and_streaming_match_whole_signal(int from, int to)
    {
        var x = Signals.Sine(440, 0.73, from);
        var whole = Resampler.Resample(x, from, to);
        Assert.Equal((long)Math.Ceiling((double)x.Length * to / from), whole.Length);
        var streamed = new ResamplingAudioStream(new MemoryAudioStream(x, from), to).ReadToEnd();
        Assert.Equal(whole, streamed);
    }

    [Fact]
    public void Same_rate_is_a_copy() => Assert.Equal(new float[] { 1, 2, 3 }, Resampler.Resample(new float[] { 1, 2, 3 }, 22050, 22050));
}
