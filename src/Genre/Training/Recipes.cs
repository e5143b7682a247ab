using Genre.Features;

namespace Genre.Training;

/// <summary>A named way to train: the features it needs and the training record.</summary>
public sealed record Recipe(string Name, string Description, FeatureSettings Features, TrainingOptions Training);

/// <summary>
/// The named presets. "tutorial" is the Keras tutorial's recipe exactly (seed network on 150x150 chunk images,
/// Adam 1e-4, 30 epochs, batch 32, nothing else); "default" is what cross-validation on real music chose
/// (docs/accuracy.md has the measurements behind each of its parts).
/// </summary>
public static class Recipes
{
    public static Recipe Tutorial { get; } = new("tutorial",
        "the Keras tutorial's: seed network, 150x150 chunk images, Adam 1e-4, 30 epochs",
        FeatureSettings.Tutorial, new TrainingOptions());

    public static Recipe Default { get; } = new("default",
        "resnet on 2-s native mel windows cut anywhere, AdamW + warm-up + cosine, label smoothing",
        FeatureSettings.Default, new TrainingOptions
        {
            Recipe = "default",
            Architecture = "resnet",
            Epochs = 30, // 40 gave the same accuracy on real music in a third more time (docs/accuracy.md)
            BatchSize = 32,
            LearningRate = 2e-3,
            WeightDecay = 1e-2,
            LabelSmoothing = 0.1,
            WarmupEpochs = 3,
            Schedule = LearningSchedule.Cosine,
            RandomCrops = true,
            // SpecAugment masks, mixup, tilt and gain stay options (mask widths ready for them) but are off: on real music
            // none of them helped (docs/accuracy.md, "What each part is worth")
            Augmentation = new Augmentation { TimeMaskWidth = 20, FrequencyMaskWidth = 16 },
        });

    public static IReadOnlyList<Recipe> All { get; } = [Default, Tutorial];

    public static IReadOnlyList<string> Names { get; } = All.Select(r => r.Name).ToList();

    public static Recipe Get(string name) => All.FirstOrDefault(r => r.Name == name)
        ?? throw new GenreException($"unknown recipe '{name}'; choose one of: {string.Join(", ", Names)}");
}
