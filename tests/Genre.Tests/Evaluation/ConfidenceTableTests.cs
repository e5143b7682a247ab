using Genre.Data;
using Genre.Evaluation;
using Genre.Features;

namespace Genre.Tests.Evaluation;

public class ConfidenceTableTests
{
    [Fact]
    public void Raising_the_threshold_trades_coverage_for_accuracy_of_the_confident_songs()
    {
        // Given three two-chunk songs, all predicted right: sure (mean 0.925), hesitant (0.55) and "b/late" (b 0.65)
        var set = new FeatureSet(FeatureSettings.Tutorial, ["a", "b"]);
        var image = new float[1];
        set.AddSong("a/sure", 0, [image, image]);
        set.AddSong("a/hesitant", 0, [image, image]);
        set.AddSong("b/late", 1, [image, image]);
        float[][] probabilities = [[0.95f, 0.05f], [0.9f, 0.1f], [0.6f, 0.4f], [0.5f, 0.5f], [0.4f, 0.6f], [0.3f, 0.7f]];
        // When
        var rows = Evaluator.ConfidenceTable(set, [0, 1, 2, 3, 4, 5], probabilities).ToDictionary(r => r.MinConfidence);
        // Then
        Assert.Equal((3, 3, 1.0), (rows[0.0].Songs, rows[0.0].Confident, rows[0.0].Coverage));
        Assert.Equal(1.0, rows[0.0].ConfidentAccuracy);
        Assert.Null(rows[0.0].UncertainAccuracy);
        Assert.Equal(2, rows[0.6].Confident); // the hesitant song drops out
        Assert.Equal(2.0 / 3, rows[0.6].Coverage, 6);
        Assert.Equal(1, rows[0.9].Confident); // only the sure song
        Assert.Equal(1.0, rows[0.9].UncertainAccuracy);
    }

    [Fact]
    public void A_wrong_song_marked_confident_lowers_the_confident_accuracy()
    {
        var set = new FeatureSet(FeatureSettings.Tutorial, ["a", "b"]);
        var image = new float[1];
        set.AddSong("a/right", 0, [image]);
        set.AddSong("a/wrong", 0, [image]);
        var rows = Evaluator.ConfidenceTable(set, [0, 1], [[0.9f, 0.1f], [0.2f, 0.8f]]).ToDictionary(r => r.MinConfidence);
        Assert.Equal(0.5, rows[0.5].ConfidentAccuracy);
        Assert.Equal(2, rows[0.5].Confident);
    }
}
