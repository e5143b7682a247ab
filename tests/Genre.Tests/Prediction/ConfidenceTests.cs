using Genre.Prediction;

namespace Genre.Tests.Prediction;

public class ConfidenceTests
{
    // Three chunks of a three-genre song; genre 0 is the song's (mean 0.6).
    static readonly float[] Chunks =
    [
        0.9f, 0.05f, 0.05f,
        0.6f, 0.3f, 0.1f,
        0.3f, 0.6f, 0.1f,
    ];

    [Fact]
    public void Spread_is_the_standard_deviation_of_the_songs_genre_over_chunks_and_agreement_the_share_of_chunks_that_pick_it()
    {
        var c = Confidence.Of(Chunks, 3, genre: 0, minConfidence: 0.5);
        Assert.Equal(Math.Sqrt(((0.9 - 0.6) * (0.9 - 0.6) + 0 + (0.3 - 0.6) * (0.3 - 0.6)) / 3), c.Spread, 6); // 0.244949
        Assert.Equal(2.0 / 3, c.Agreement, 6);
        Assert.True(c.Confident);
        Assert.Equal("confident", c.Verdict);
    }

    [Fact]
    public void A_song_below_the_minimum_confidence_is_uncertain()
    {
        var c = Confidence.Of(Chunks, 3, genre: 0, minConfidence: 0.61);
        Assert.Equal("uncertain", c.Verdict);
    }

    [Fact]
    public void A_song_on_which_fewer_than_half_of_the_chunks_agree_is_uncertain_whatever_its_probability()
    {
        // mean of genre 0 is 0.5 but only 1 of 4 chunks has it on top
        float[] split = [0.9f, 0.1f, 0.4f, 0.6f, 0.4f, 0.6f, 0.3f, 0.7f];
        var c = Confidence.Of(split, 2, genre: 0, minConfidence: 0.0);
        Assert.Equal(0.25, c.Agreement, 6);
        Assert.False(c.Confident);
    }

    [Fact]
    public void One_chunk_has_no_spread()
    {
        var c = Confidence.Of([0.2f, 0.8f], 2, genre: 1, minConfidence: 0.5);
        Assert.Equal((0.0, 1.0, true), (c.Spread, c.Agreement, c.Confident));
    }

    [Fact]
    public void The_json_of_a_prediction_carries_spread_agreement_and_verdict()
    {
        float[] chunks = [0.9f, 0.1f, 0.6f, 0.4f, 0.3f, 0.7f]; // genre 0 ("rock" here): 0.9, 0.6, 0.3
        var p = new SongPrediction("a.wav", "rock", 0.6, new Dictionary<string, double> { ["rock"] = 0.6, ["jazz"] = 0.4 }, "rock", 3, 8, [],
            Confidence.Of(chunks, 2, genre: 0, minConfidence: 0.5));
        var json = PredictionJson.ToDictionary(p, ["jazz", "rock"], 2, timeline: false);
        Assert.Equal(0.244949, (double)json["spread"]!, 6);
        Assert.Equal(0.666667, (double)json["agreement"]!, 6);
        Assert.Equal("confident", json["verdict"]);
    }
}
