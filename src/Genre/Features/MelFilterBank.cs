namespace Genre.Features;

/// <summary>
/// Triangular mel filters on FFT bins, as librosa.filters.mel with its defaults (Slaney mel scale:
/// linear below 1 kHz, logarithmic above; Slaney area normalisation). Stored sparsely: each band
/// keeps only its non-zero run of bins.
/// </summary>
public sealed class MelFilterBank
{
    readonly int[] _firstBin;
    readonly float[][] _weights;

    public int Bands => _weights.Length;
    public int Bins { get; }

    /// <param name="sampleRate">Sample rate in Hz.</param>
    /// <param name="nFft">FFT length in samples; the bank covers nFft/2+1 bins.</param>
    /// <param name="nMels">Number of mel bands, >= 1.</param>
    /// <param name="fMinHz">Lowest frequency in Hz, >= 0.</param>
    /// <param name="fMaxHz">Highest frequency in Hz, at most sampleRate/2.</param>
    public MelFilterBank(int sampleRate, int nFft, int nMels, double fMinHz, double fMaxHz)
    {
        var dense = Dense(sampleRate, nFft, nMels, fMinHz, fMaxHz);
        Bins = nFft / 2 + 1;
        _firstBin = new int[nMels];
        _weights = new float[nMels][];
        for (int m = 0; m < nMels; m++)
        {
            int first = Array.FindIndex(dense[m], w => w > 0);
            int last = Array.FindLastIndex(dense[m], w => w > 0);
            if (first < 0) { _firstBin[m] = 0; _weights[m] = []; continue; }
            _firstBin[m] = first;
            _weights[m] = dense[m][first..(last + 1)].Select(w => (float)w).ToArray();
        }
    }

    /// <summary>The full [nMels][nFft/2+1] weight matrix in double precision (librosa's formula).</summary>
    public static double[][] Dense(int sampleRate, int nFft, int nMels, double fMinHz, double fMaxHz)
    {
        int bins = nFft / 2 + 1;
        double melMin = HzToMel(fMinHz), melMax = HzToMel(fMaxHz);
        var melHz = new double[nMels + 2];
        for (int i = 0; i < melHz.Length; i++) melHz[i] = MelToHz(melMin + (melMax - melMin) * i / (nMels + 1));
        var weights = new double[nMels][];
        for (int m = 0; m < nMels; m++)
        {
            weights[m] = new double[bins];
            double lowerWidth = melHz[m + 1] - melHz[m], upperWidth = melHz[m + 2] - melHz[m + 1];
            double norm = 2.0 / (melHz[m + 2] - melHz[m]);
            for (int k = 0; k < bins; k++)
            {
                double f = (double)sampleRate / 2 * k / (bins - 1); // linspace(0, sr/2, bins)
                double lower = (f - melHz[m]) / lowerWidth;
                double upper = (melHz[m + 2] - f) / upperWidth;
                weights[m][k] = Math.Max(0, Math.Min(lower, upper)) * norm;
            }
        }
        return weights;
    }

    /// <summary>mel[m] = sum_k weights[m][k] * power[k].</summary>
    public void Apply(ReadOnlySpan<float> power, Span<float> mel)
    {
        for (int m = 0; m < _weights.Length; m++)
            mel[m] = Numerics.VectorMath.Dot(_weights[m], power.Slice(_firstBin[m], _weights[m].Length));
    }

    const double LinearStepHz = 200.0 / 3, LogStartHz = 1000, LogStartMel = LogStartHz / LinearStepHz;
    static readonly double LogStep = Math.Log(6.4) / 27;

    /// <summary>Slaney's mel scale (librosa's default, htk=False).</summary>
    public static double HzToMel(double hz) =>
        hz < LogStartHz ? hz / LinearStepHz : LogStartMel + Math.Log(hz / LogStartHz) / LogStep;

    public static double MelToHz(double mel) =>
        mel < LogStartMel ? mel * LinearStepHz : LogStartHz * Math.Exp(LogStep * (mel - LogStartMel));
}
