using Genre.Audio;

namespace Genre.Data;

/// <summary>
/// A GTZAN-shaped synthetic data set for demos and tests: one folder per genre of mono 16-bit WAV
/// clips. Each genre is a musical texture (tempo range, drum pattern, bass and chord timbres, noise),
/// and every clip draws its own tempo, key, instrumentation, mix and loudness, so no single frequency
/// or level separates the genres. Deterministic for a seed. The hard set (<see cref="Options.Hard"/>) makes the genres
/// confusable, as real ones are: tempos from one shared range, instruments that borrow other genres' timbres, another
/// genre heard under every clip and taking over one section of it, and a noise floor; a song's genre then shows in most
/// of its chunks, not all, and learning it takes more than one cue.
/// </summary>
public static class Synth
{
    public static readonly IReadOnlyList<string> AllGenres = ["ambient", "classical", "jazz", "reggae", "rock", "techno", "hiphop", "waltz"];

    public sealed record Options(string OutDir, int Genres = 6, int ClipsPerGenre = 20, double Seconds = 30, int SampleRate = 22050, int Seed = 1,
        bool Hard = false);

    public static void Generate(Options o, IProgress<SongProgress>? progress = null, CancellationToken cancel = default)
    {
        if (o.Genres < 2 || o.Genres > AllGenres.Count) throw new GenreException($"--genres {o.Genres} must be 2..{AllGenres.Count}");
        if (o.ClipsPerGenre < 1) throw new GenreException($"--clips {o.ClipsPerGenre} must be at least 1");
        if (!(o.Seconds >= 1 && o.Seconds <= 600)) throw new GenreException($"--seconds {o.Seconds} must be 1..600");
        var jobs = (from g in Enumerable.Range(0, o.Genres) from c in Enumerable.Range(0, o.ClipsPerGenre) select (g, c)).ToList();
        int done = 0;
        Parallel.ForEach(jobs, new ParallelOptions { CancellationToken = cancel, MaxDegreeOfParallelism = Environment.ProcessorCount }, job =>
        {
            string genre = AllGenres[job.g];
            int seed = ClipSeed(o.Seed, job.g, job.c);
            var samples = o.Hard ? HardClip(genre, AllGenres.Take(o.Genres).ToList(), o.Seconds, o.SampleRate, seed) : Clip(genre, o.Seconds, o.SampleRate, seed);
            string path = Path.Combine(o.OutDir, genre, $"{genre}.{job.c:D5}.wav");
            Reports.AtomicFile.Write(path, s => WavDecoder.Write(s, samples, 1, o.SampleRate));
            progress?.Report(new SongProgress(Interlocked.Increment(ref done), jobs.Count, $"{genre}/{Path.GetFileName(path)}", false));
        });
    }

    /// <summary>Per-clip seed (not HashCode.Combine: that is randomised per process).</summary>
    static int ClipSeed(int seed, int genre, int clip) => (int)(((long)seed * 1_000_003 + genre * 10_007L + clip) & 0x7fffffff);

    /// <summary>One clip of <paramref name="genre"/>'s texture.</summary>
    public static float[] Clip(string genre, double seconds, int rate, int seed) => Texture(genre, seconds, rate, seed, hard: false);

    /// <summary>A clip of the hard set: <paramref name="genre"/>'s texture played by a hard mixer, another genre of
    /// <paramref name="genres"/> under it at 25-50 % and taking over a section of 20-35 % of the clip (the texture at 35 %
    /// there), and a noise floor.</summary>
    public static float[] HardClip(string genre, IReadOnlyList<string> genres, double seconds, int rate, int seed)
    {
        var rng = new Random(seed ^ 0x5eed);
        var others = genres.Where(g => g != genre).ToList();
        string guest = others[rng.Next(others.Count)];
        var main = Texture(genre, seconds, rate, seed, hard: true);
        var under = Texture(guest, seconds, rate, seed * 31 + 7, hard: true);
        double level = Range(rng, 0.25, 0.5), section = Range(rng, 0.2, 0.35) * seconds;
        double from = rng.NextDouble() * (seconds - section);
        int a = (int)(from * rate), b = (int)((from + section) * rate);
        double noise = Range(rng, 0.01, 0.05), lowpass = 0;
        var clip = new float[main.Length];
        for (int i = 0; i < clip.Length; i++)
        {
            bool taken = i >= a && i < b;
            lowpass += 0.2 * ((rng.NextDouble() * 2 - 1) - lowpass);
            clip[i] = (float)((taken ? 0.35 : 1) * main[i] + (taken ? 1 : level) * under[i] + noise * lowpass);
        }
        float peak = Math.Max(1e-9f, clip.Max(Math.Abs));
        double loudness = Range(rng, 0.25, 0.9);
        for (int i = 0; i < clip.Length; i++) clip[i] = (float)(clip[i] * loudness / peak);
        return clip;
    }

    static float[] Texture(string genre, double seconds, int rate, int seed, bool hard)
    {
        var rng = new Random(seed);
        var m = new Mixer((int)(seconds * rate), rate, rng, hard);
        switch (genre)
        {
            case "ambient": Ambient(m); break;
            case "classical": Classical(m); break;
            case "jazz": Jazz(m); break;
            case "reggae": Reggae(m); break;
            case "rock": Rock(m); break;
            case "techno": Techno(m); break;
            case "hiphop": HipHop(m); break;
            case "waltz": Waltz(m); break;
            default: throw new GenreException($"unknown synthetic genre '{genre}'");
        }
        return m.Finish(loudness: Range(rng, 0.25, 0.9));
    }

    internal static double Range(Random r, double lo, double hi) => lo + r.NextDouble() * (hi - lo);

    // Chords as semitone offsets from the key; progressions as scale degrees.
    static readonly int[] Major = [0, 4, 7], Minor = [0, 3, 7], Seventh = [0, 4, 7, 10], MinorSeventh = [0, 3, 7, 10];
    static readonly int[][] Progressions = [[0, 5, 7, 0], [0, 9, 5, 7], [0, 7, 9, 5], [2, 7, 0, 0], [0, 5, 0, 7]];

    static int[] Progression(Random r) => Progressions[r.Next(Progressions.Length)];

    static void Ambient(Mixer m)
    {
        var r = m.Rng;
        int key = 45 + r.Next(12);
        double chordSeconds = Range(r, 4, 8);
        var prog = Progression(r);
        var pad = r.Next(2) == 0 ? Wave.Sine : Wave.Triangle;
        for (int i = 0; i * chordSeconds < m.Seconds; i++)
            foreach (var n in (r.Next(2) == 0 ? Major : Minor))
                m.Note(i * chordSeconds, chordSeconds * 1.3, key + 12 + prog[i % 4] + n, 0.12, pad, attack: chordSeconds * 0.4, release: chordSeconds * 0.5, vibrato: 0.003);
        m.Noise(0, m.Seconds, Range(r, 0.005, 0.03), lowpass: 0.05);
        if (r.Next(2) == 0) // slow bell-like melody
            for (double t = r.NextDouble() * 3; t < m.Seconds; t += Range(r, 1.5, 4))
                m.Note(t, 2.5, key + 24 + Major[r.Next(3)] + 12 * r.Next(2), 0.05, Wave.Sine, attack: 0.01, release: 2.0);
    }

    static void Classical(Mixer m)
    {
        var r = m.Rng;
        int key = 48 + r.Next(12);
        double beat = 60 / m.Tempo(60, 110);
        var prog = Progression(r);
        var strings = r.Next(2) == 0 ? Wave.Saw : Wave.Triangle;
        int[] scale = [0, 2, 4, 5, 7, 9, 11, 12];
        for (int bar = 0; bar * 4 * beat < m.Seconds; bar++)
        {
            double t0 = bar * 4 * beat;
            foreach (var n in (bar % 2 == 0 ? Major : Minor))
                m.Note(t0, 4 * beat, key + prog[bar % 4] + n, 0.06, strings, attack: 0.3, release: 0.4, vibrato: 0.006, detune: 0.004);
            m.Note(t0, 4 * beat, key - 12 + prog[bar % 4], 0.08, strings, attack: 0.2, release: 0.4, vibrato: 0.004);
            for (int k = 0; k < 8; k++) // melodic line in eighths
                if (r.NextDouble() < 0.8)
                    m.Note(t0 + k * beat / 2, beat * 0.55, key + 12 + scale[r.Next(scale.Length)], 0.07, Wave.Triangle, attack: 0.04, release: 0.15, vibrato: 0.008);
        }
        m.Noise(0, m.Seconds, Range(r, 0.002, 0.01), lowpass: 0.1);
    }

    static void Jazz(Mixer m)
    {
        var r = m.Rng;
        int key = 41 + r.Next(12);
        double beat = 60 / m.Tempo(90, 190), swing = Range(r, 0.6, 0.7);
        var prog = Progression(r);
        for (int bar = 0; bar * 4 * beat < m.Seconds; bar++)
        {
            double t0 = bar * 4 * beat;
            int root = key + prog[bar % 4];
            for (int b = 0; b < 4; b++)
            {
                m.Note(t0 + b * beat, beat * 0.9, root - 12 + new[] { 0, 4, 7, 9, 10, 5 }[r.Next(6)], 0.22, Wave.Pluck, attack: 0.005, release: 0.1); // walking bass
                m.Ride(t0 + b * beat, 0.05);
                if (b % 2 == 1) m.Ride(t0 + (b + swing) * beat, 0.035);
                if (b % 2 == 1) m.HiHat(t0 + b * beat, 0.04, closed: true);
            }
            if (r.NextDouble() < 0.7) // comping chord on an off-beat
            {
                double tc = t0 + (r.Next(4) + swing) * beat;
                foreach (var n in (r.Next(2) == 0 ? Seventh : MinorSeventh)) m.Note(tc, beat * 0.6, root + 12 + n, 0.06, Wave.Epiano, attack: 0.005, release: 0.3);
            }
        }
        m.Noise(0, m.Seconds, 0.004, lowpass: 0.3);
    }

    static void Reggae(Mixer m)
    {
        var r = m.Rng;
        int key = 43 + r.Next(12);
        double beat = 60 / m.Tempo(65, 95);
        var prog = Progression(r);
        for (int bar = 0; bar * 4 * beat < m.Seconds; bar++)
        {
            double t0 = bar * 4 * beat;
            int root = key + prog[bar % 4];
            m.Kick(t0 + 2 * beat, 0.7); // one drop
            m.Snare(t0 + 2 * beat, 0.35, rim: true);
            for (int b = 0; b < 4; b++)
            {
                foreach (var n in Major) m.Note(t0 + (b + 0.5) * beat, beat * 0.18, root + 12 + n, 0.07, Wave.Square, attack: 0.003, release: 0.05); // skank
                m.HiHat(t0 + b * beat, 0.03, closed: true);
                m.HiHat(t0 + (b + 0.5) * beat, 0.02, closed: true);
            }
            m.Note(t0, beat * 1.5, root - 12, 0.3, Wave.Sine, attack: 0.01, release: 0.2);
            m.Note(t0 + 1.5 * beat, beat * 0.5, root - 12 + 7, 0.25, Wave.Sine, attack: 0.01, release: 0.1);
            m.Note(t0 + 2.5 * beat, beat, root - 12 + 5, 0.25, Wave.Sine, attack: 0.01, release: 0.2);
        }
    }

    static void Rock(Mixer m)
    {
        var r = m.Rng;
        int key = 40 + r.Next(12);
        double beat = 60 / m.Tempo(95, 150);
        var prog = Progression(r);
        bool openHats = r.Next(2) == 0;
        for (int bar = 0; bar * 4 * beat < m.Seconds; bar++)
        {
            double t0 = bar * 4 * beat;
            int root = key + prog[bar % 4];
            for (int b = 0; b < 4; b++)
            {
                if (b % 2 == 0) m.Kick(t0 + b * beat, 0.8);
                if (b == 2 && r.NextDouble() < 0.5) m.Kick(t0 + (b + 0.5) * beat, 0.6);
                if (b % 2 == 1) m.Snare(t0 + b * beat, 0.6);
                m.HiHat(t0 + b * beat, 0.05, closed: !openHats);
                m.HiHat(t0 + (b + 0.5) * beat, 0.04, closed: true);
                for (int e = 0; e < 2; e++) // power chord eighths, distorted
                    foreach (var n in new[] { 0, 7, 12 })
                        m.Note(t0 + (b + e * 0.5) * beat, beat * 0.45, root + n, 0.09, Wave.Distorted, attack: 0.003, release: 0.05);
                m.Note(t0 + b * beat, beat * 0.9, root - 12, 0.2, Wave.Saw, attack: 0.005, release: 0.05);
            }
        }
    }

    static void Techno(Mixer m)
    {
        var r = m.Rng;
        int key = 36 + r.Next(12);
        double beat = 60 / m.Tempo(118, 140);
        int[] arp = [0, 12, 7, 3, 0, 10, 7, 12];
        for (int b = 0; b * beat < m.Seconds; b++)
        {
            double t = b * beat;
            m.Kick(t, 0.9);
            m.HiHat(t + beat / 2, 0.06, closed: false);
            if (b % 4 == 2 && r.NextDouble() < 0.7) m.Snare(t, 0.3, clap: true);
            for (int s = 0; s < 4; s++)
                m.Note(t + s * beat / 4, beat * 0.2, key + arp[(b * 4 + s) % arp.Length], 0.14, Wave.Saw, attack: 0.002, release: 0.03, filter: 0.2 + 0.15 * Math.Sin(t * 0.3));
        }
        if (r.Next(2) == 0) m.Noise(0, m.Seconds, 0.01, lowpass: 0.5);
    }

    static void HipHop(Mixer m)
    {
        var r = m.Rng;
        int key = 38 + r.Next(12);
        double beat = 60 / m.Tempo(80, 100);
        var prog = Progression(r);
        for (int bar = 0; bar * 4 * beat < m.Seconds; bar++)
        {
            double t0 = bar * 4 * beat;
            m.Kick(t0, 0.9); m.Kick(t0 + 1.75 * beat, 0.7); m.Kick(t0 + 2.5 * beat, 0.8);
            m.Snare(t0 + beat, 0.7); m.Snare(t0 + 3 * beat, 0.7);
            for (int s = 0; s < 8; s++) m.HiHat(t0 + s * beat / 2 + (s % 2) * 0.03, 0.04, closed: true);
            m.Note(t0, 2 * beat, key + prog[bar % 4] - 12, 0.35, Wave.Sine, attack: 0.005, release: 0.3, glide: -0.05); // 808
            foreach (var n in MinorSeventh) m.Note(t0, 4 * beat, key + 12 + prog[bar % 4] + n, 0.04, Wave.Epiano, attack: 0.02, release: 0.5);
        }
        m.Noise(0, m.Seconds, Range(r, 0.01, 0.03), lowpass: 0.15); // vinyl hiss
    }

    static void Waltz(Mixer m)
    {
        var r = m.Rng;
        int key = 45 + r.Next(12);
        double beat = 60 / m.Tempo(120, 180);
        var prog = Progression(r);
        for (int bar = 0; bar * 3 * beat < m.Seconds; bar++)
        {
            double t0 = bar * 3 * beat;
            int root = key + prog[bar % 4];
            m.Note(t0, beat * 0.9, root - 12, 0.2, Wave.Triangle, attack: 0.01, release: 0.2); // oom
            for (int b = 1; b < 3; b++) foreach (var n in Major) m.Note(t0 + b * beat, beat * 0.5, root + n, 0.06, Wave.Epiano, attack: 0.01, release: 0.15); // pah pah
            m.Note(t0, beat * 3, root + 12 + Major[r.Next(3)], 0.08, Wave.Triangle, attack: 0.05, release: 0.3, vibrato: 0.006);
        }
    }
}
