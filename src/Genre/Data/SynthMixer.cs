namespace Genre.Data;

/// <summary>Oscillator shapes of the synthesiser (one cycle each, table-based).</summary>
public enum Wave { Sine, Triangle, Saw, Square, Pluck, Epiano, Distorted }

/// <summary>The synthesiser's mixing desk: notes and drum hits added into one mono buffer. A hard mixer (the hard data set)
/// draws tempos from a range every genre shares and plays some of a clip's instruments with another genre's timbres.</summary>
sealed class Mixer(int length, int rate, Random rng, bool hard = false)
{
    const int TableSize = 2048;
    static readonly Dictionary<Wave, float[]> Tables = Enum.GetValues<Wave>().ToDictionary(w => w, BuildTable);

    readonly float[] _buffer = new float[length];
    public Random Rng { get; } = rng;
    public double Seconds => (double)length / rate;

    /// <summary>Hard mixers only: each oscillator shape of the clip is swapped for another with probability 0.4.</summary>
    readonly Dictionary<Wave, Wave> _timbres = hard
        ? Enum.GetValues<Wave>().ToDictionary(w => w, w => rng.NextDouble() < 0.4 ? (Wave)rng.Next(Enum.GetValues<Wave>().Length) : w)
        : [];

    /// <summary>A tempo in beats per minute: the genre's own range, or in a hard mixer one that every genre shares (70-170).</summary>
    public double Tempo(double low, double high) =>
        hard ? Synth.Range(Rng, Math.Min(low, 70), Math.Max(high, 170)) : Synth.Range(Rng, low, high);

    static float[] BuildTable(Wave wave)
    {
        var t = new float[TableSize];
        for (int i = 0; i < TableSize; i++)
        {
            double p = 2 * Math.PI * i / TableSize, v = 0;
            switch (wave)
            {
                case Wave.Sine: v = Math.Sin(p); break;
                case Wave.Triangle: for (int h = 1; h <= 15; h += 2) v += Math.Sin(h * p) * (((h - 1) / 2 % 2 == 0) ? 1 : -1) / (h * h); v *= 8 / (Math.PI * Math.PI); break;
                case Wave.Saw: for (int h = 1; h <= 24; h++) v += Math.Sin(h * p) / h; v *= 0.6; break;
                case Wave.Square: for (int h = 1; h <= 23; h += 2) v += Math.Sin(h * p) / h; v *= 0.8; break;
                case Wave.Pluck: v = Math.Sin(p) + 0.5 * Math.Sin(2 * p) + 0.25 * Math.Sin(3 * p); v *= 0.6; break;
                case Wave.Epiano: v = Math.Sin(p) + 0.3 * Math.Sin(2 * p) + 0.15 * Math.Sin(4 * p) + 0.1 * Math.Sin(7 * p); v *= 0.7; break;
                case Wave.Distorted: for (int h = 1; h <= 24; h++) v += Math.Sin(h * p) / h; v = Math.Tanh(3 * v); break;
            }
            t[i] = (float)v;
        }
        return t;
    }

    static double Hz(double midi) => 440 * Math.Pow(2, (midi - 69) / 12);

    /// <summary>Adds a note: MIDI pitch, linear attack, exponential-ish release, optional vibrato, detuned double, pitch glide and one-pole low-pass.</summary>
    public void Note(double start, double duration, double midi, double amplitude, Wave wave, double attack = 0.01, double release = 0.1,
        double vibrato = 0, double detune = 0, double glide = 0, double filter = 1)
    {
        var table = Tables[_timbres.GetValueOrDefault(wave, wave)];
        int s0 = (int)(start * rate);
        int n = (int)((duration + release) * rate);
        double hz = Hz(midi), phase = Rng.NextDouble(), phase2 = Rng.NextDouble();
        double vibHz = 4 + Rng.NextDouble() * 2;
        double lp = 0, alpha = Math.Clamp(filter, 0.01, 1);
        for (int i = 0; i < n && s0 + i < _buffer.Length; i++)
        {
            if (s0 + i < 0) continue;
            double t = (double)i / rate;
            double env = t < attack ? t / attack : t < duration ? 1 : Math.Exp(-(t - duration) / (release / 4 + 1e-4));
            if (wave == Wave.Pluck || wave == Wave.Epiano) env *= Math.Exp(-t * 3);
            double f = hz * (1 + vibrato * Math.Sin(2 * Math.PI * vibHz * t)) * (1 + glide * t);
            phase += f / rate; phase -= Math.Floor(phase);
            double v = table[(int)(phase * TableSize) & (TableSize - 1)];
            if (detune > 0)
            {
                phase2 += f * (1 + detune) / rate; phase2 -= Math.Floor(phase2);
                v = 0.5 * (v + table[(int)(phase2 * TableSize) & (TableSize - 1)]);
            }
            lp += alpha * (v - lp);
            _buffer[s0 + i] += (float)(amplitude * env * lp);
        }
    }

    public void Kick(double start, double amplitude)
    {
        int s0 = (int)(start * rate), n = (int)(0.35 * rate);
        double phase = 0, f0 = 110 + Rng.NextDouble() * 50;
        for (int i = 0; i < n && s0 + i < _buffer.Length; i++)
        {
            double t = (double)i / rate;
            phase += (45 + f0 * Math.Exp(-t * 30)) / rate;
            _buffer[s0 + i] += (float)(amplitude * 0.8 * Math.Exp(-t * 9) * Math.Sin(2 * Math.PI * phase));
        }
    }

    public void Snare(double start, double amplitude, bool rim = false, bool clap = false)
    {
        int s0 = (int)(start * rate), n = (int)((rim ? 0.08 : 0.25) * rate);
        double decay = rim ? 60 : clap ? 18 : 22;
        for (int i = 0; i < n && s0 + i < _buffer.Length; i++)
        {
            double t = (double)i / rate;
            double noise = Rng.NextDouble() * 2 - 1;
            double tone = Math.Sin(2 * Math.PI * (rim ? 400 : 185) * t);
            double env = clap ? Math.Exp(-((t * 100) % 1.2) * 3) * Math.Exp(-t * decay) : Math.Exp(-t * decay);
            _buffer[s0 + i] += (float)(amplitude * 0.5 * env * (0.7 * noise + 0.4 * tone));
        }
    }

    public void HiHat(double start, double amplitude, bool closed)
    {
        int s0 = (int)(start * rate), n = (int)((closed ? 0.05 : 0.25) * rate);
        double prev = 0;
        for (int i = 0; i < n && s0 + i < _buffer.Length; i++)
        {
            double t = (double)i / rate, noise = Rng.NextDouble() * 2 - 1;
            double high = noise - prev; // first difference: a crude high-pass
            prev = noise;
            _buffer[s0 + i] += (float)(amplitude * Math.Exp(-t * (closed ? 80 : 14)) * high);
        }
    }

    public void Ride(double start, double amplitude)
    {
        int s0 = (int)(start * rate), n = (int)(0.6 * rate);
        double[] partials = [3150, 4420, 5290, 6130, 7330];
        for (int i = 0; i < n && s0 + i < _buffer.Length; i++)
        {
            double t = (double)i / rate, v = 0;
            foreach (var p in partials) v += Math.Sin(2 * Math.PI * p * t);
            v = v / partials.Length + 0.3 * (Rng.NextDouble() * 2 - 1);
            _buffer[s0 + i] += (float)(amplitude * Math.Exp(-t * 6) * v);
        }
    }

    /// <summary>Noise through a one-pole low-pass (<paramref name="lowpass"/> = smoothing, 1 = white).</summary>
    public void Noise(double start, double duration, double amplitude, double lowpass)
    {
        int s0 = (int)(start * rate), n = (int)(duration * rate);
        double lp = 0;
        for (int i = 0; i < n && s0 + i < _buffer.Length; i++)
        {
            lp += lowpass * ((Rng.NextDouble() * 2 - 1) - lp);
            _buffer[s0 + i] += (float)(amplitude * lp / Math.Sqrt(lowpass));
        }
    }

    /// <summary>Normalises the peak to <paramref name="loudness"/> and returns the clip.</summary>
    public float[] Finish(double loudness)
    {
        float peak = 1e-9f;
        foreach (var v in _buffer) peak = Math.Max(peak, Math.Abs(v));
        float g = (float)(loudness / peak);
        for (int i = 0; i < _buffer.Length; i++) _buffer[i] *= g;
        return _buffer;
    }
}
