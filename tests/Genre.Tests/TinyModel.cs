using Genre.Training;

namespace Genre.Tests;

/// <summary>The tiny data set and a compact model trained on it for two epochs, made once per test class.</summary>
public sealed class TinyModel : IDisposable
{
    public TinyData Data { get; } = new();
    public string ModelDir { get; }

    public TinyModel()
    {
        ModelDir = Data.NewDir("model");
        Trainer.Train(Data.Set, new TrainingOptions { Architecture = "compact", Epochs = 2, BatchSize = 8, LearningRate = 1e-3, ValidationFraction = 0.25 }, ModelDir);
    }

    /// <summary>A copy of the model folder to damage.</summary>
    public string CopyModel()
    {
        string copy = Data.NewDir("model-copy");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.EnumerateFiles(ModelDir)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        return copy;
    }

    public void Dispose() => Data.Dispose();
}
