using System.Text.Json;
using System.Text.Json.Serialization;

namespace Genre.Training;

/// <summary>
/// Per-epoch metrics with Keras' training_history.history keys (loss, accuracy, val_loss,
/// val_accuracy), plus song-level validation accuracy and seconds per epoch.
/// </summary>
public sealed class History
{
    [JsonPropertyName("loss")] public List<double> Loss { get; init; } = new();
    [JsonPropertyName("accuracy")] public List<double> Accuracy { get; init; } = new();
    [JsonPropertyName("val_loss")] public List<double> ValLoss { get; init; } = new();
    [JsonPropertyName("val_accuracy")] public List<double> ValAccuracy { get; init; } = new();
    [JsonPropertyName("val_song_accuracy")] public List<double> ValSongAccuracy { get; init; } = new();
    [JsonPropertyName("seconds")] public List<double> Seconds { get; init; } = new();

    [JsonIgnore] public int Epochs => Loss.Count;

    public void Add(EpochReport r)
    {
        Loss.Add(r.Loss); Accuracy.Add(r.Accuracy); ValLoss.Add(r.ValLoss); ValAccuracy.Add(r.ValAccuracy);
        ValSongAccuracy.Add(r.ValSongAccuracy); Seconds.Add(r.Seconds);
    }

    /// <summary>1-based epoch with the best validation accuracy (the first of equals), or 0 when empty.</summary>
    public int BestEpoch()
    {
        int best = -1;
        for (int i = 0; i < ValAccuracy.Count; i++) if (best < 0 || ValAccuracy[i] > ValAccuracy[best]) best = i;
        return best + 1;
    }

    /// <summary>1-based epoch with the lowest validation loss (the first of equals), or 0 when empty.</summary>
    public int BestEpochByLoss()
    {
        int best = -1;
        for (int i = 0; i < ValLoss.Count; i++) if (best < 0 || ValLoss[i] < ValLoss[best]) best = i;
        return best + 1;
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Save(string path) => Reports.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    public static History Load(string path)
    {
        try
        {
            var h = JsonSerializer.Deserialize<History>(File.ReadAllText(path), Json) ?? throw new JsonException("empty");
            int n = h.Loss.Count;
            if (h.Accuracy.Count != n || h.ValLoss.Count != n || h.ValAccuracy.Count != n)
                throw new JsonException("lists of different lengths");
            return h;
        }
        catch (JsonException e) { throw new GenreException($"{path}: corrupt history ({e.Message})"); }
        catch (FileNotFoundException) { throw new GenreException($"{path}: history not found"); }
    }
}

/// <summary>The summary of one finished epoch.</summary>
public sealed record EpochReport(int Epoch, int Epochs, double Loss, double Accuracy, double ValLoss, double ValAccuracy,
    double ValSongAccuracy, double Seconds, bool IsBest);

/// <summary>Live progress inside an epoch.</summary>
public readonly record struct BatchProgress(int Epoch, int Epochs, int Batch, int Batches, double Loss, double Accuracy);
