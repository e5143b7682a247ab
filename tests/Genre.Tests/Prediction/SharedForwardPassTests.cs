using System.Collections.Concurrent;
using Genre.Prediction;

namespace Genre.Tests.Prediction;

public class SharedForwardPassTests
{
    /// <summary>A stand-in network: two outputs per image (its first value and its length), slow enough for callers to queue.</summary>
    static float[] SlowForward(IReadOnlyList<float[]> images, ConcurrentBag<int> batchSizes)
    {
        batchSizes.Add(images.Count);
        Thread.Sleep(30);
        return images.SelectMany(i => new[] { i[0], (float)i.Length }).ToArray();
    }

    /// <summary>Runs <paramref name="body"/> on that many threads of its own, released together.</summary>
    static void AllAtOnce(int threads, Action<int> body)
    {
        using var start = new Barrier(threads);
        var all = Enumerable.Range(0, threads).Select(i => new Thread(() => { start.SignalAndWait(); body(i); })).ToList();
        all.ForEach(t => t.Start());
        all.ForEach(t => t.Join());
    }

    [Fact]
    public void Concurrent_callers_share_batches_and_each_gets_its_own_rows()
    {
        var shared = new SharedForwardPass(outputsPerImage: 2, maxImages: 10);
        var sizes = new ConcurrentBag<int>();
        var results = new float[12][];
        AllAtOnce(12, caller =>
        {
            // caller c sends 1 + c % 4 images whose first values are 100 c + i
            var images = Enumerable.Range(0, 1 + caller % 4).Select(i => new float[] { 100 * caller + i, 0, 0 }).ToList();
            results[caller] = shared.Run(images, batch => SlowForward(batch, sizes));
        });
        for (int caller = 0; caller < 12; caller++)
        {
            var expected = Enumerable.Range(0, 1 + caller % 4).SelectMany(i => new float[] { 100 * caller + i, 3 }).ToArray();
            Assert.Equal(expected, results[caller]);
        }
        Assert.Equal(Enumerable.Range(0, 12).Sum(c => 1 + c % 4), sizes.Sum());
        Assert.True(sizes.Count < 12, $"no two callers shared a forward pass (batches: {string.Join(", ", sizes)})");
        Assert.All(sizes, s => Assert.InRange(s, 1, 10));
    }

    [Fact]
    public void A_failed_forward_pass_fails_every_caller_in_it_with_its_own_exception()
    {
        var shared = new SharedForwardPass(outputsPerImage: 1, maxImages: 64);
        var errors = new ConcurrentBag<Exception>();
        AllAtOnce(6, _ =>
        {
            try { shared.Run([new float[] { 1 }], batch => { Thread.Sleep(20); throw new GenreException("the network is broken"); }); }
            catch (Exception e) { errors.Add(e); }
        });
        Assert.Equal(6, errors.Count);
        Assert.All(errors, e => Assert.Equal("the network is broken", Assert.IsType<GenreException>(e).Message));
        Assert.Equal([7f], shared.Run([new float[] { 7 }], batch => batch.Select(i => i[0]).ToArray())); // and it still works
    }
}
