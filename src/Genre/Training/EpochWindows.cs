using Genre.Data;
using Genre.Features;

namespace Genre.Training;

/// <summary>
/// The training windows of one epoch, shuffled: the training songs' grid chunks, or (random crops, song layout)
/// as many windows per song as its grid has, each cut at a frame drawn anew every epoch. A song's windows then
/// cover it everywhere over the epochs instead of at the same 2-s steps, which the network could learn by heart.
/// </summary>
public sealed class EpochWindows(FeatureSet set, int[] trainChunks, bool randomCrops)
{
    /// <summary>Windows per epoch (the grid chunks of the training songs).</summary>
    public int PerEpoch => trainChunks.Length;

    /// <summary>This epoch's windows in training order, from the epoch's generator.</summary>
    public Window[] Draw(Random random)
    {
        var order = trainChunks.ToArray();
        random.Shuffle(order); // the grid order is drawn first, as before random crops existed: a grid run is unchanged
        var windows = new Window[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            int song = set.ChunkSong[order[i]];
            windows[i] = randomCrops
                ? new Window(song, random.Next(SongWindows.LastStart(set.Settings, set.Frames(song)) + 1))
                : new Window(song, 0, order[i]);
        }
        return windows;
    }
}

/// <summary>The learning rate at each step: linear warm-up over the first epochs, then constant or a half cosine to 0.</summary>
public sealed class LearningRate(TrainingOptions options, int batchesPerEpoch)
{
    /// <summary>The rate for batch <paramref name="batch"/> (0-based) of epoch <paramref name="epoch"/> (1-based).</summary>
    public double At(int epoch, int batch)
    {
        long step = (long)(epoch - 1) * batchesPerEpoch + batch;
        long warm = (long)options.WarmupEpochs * batchesPerEpoch, total = (long)options.Epochs * batchesPerEpoch;
        if (step < warm) return options.LearningRate * (step + 1) / warm;
        if (options.Schedule == LearningSchedule.Constant) return options.LearningRate;
        return options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - warm) / Math.Max(1, total - warm)));
    }
}
