using Genre.Model;
using Genre.Training;
using static TorchSharp.torch;

namespace Genre.Tests.Training;

public class BatchesTests
{
    [Fact]
    public void Input_tensor_holds_the_normalised_images_in_its_own_memory()
    {
        var random = new Random(3);
        var images = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 4 * 5).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var normalization = new InputNormalization(0.25, 3.0);
        var expected = Batches.Normalized(images, 4 * 5, normalization);

        using var input = Batches.FromImages(images, 4, 5, normalization);
        foreach (var image in images) Array.Clear(image); // the tensor must not share the callers' arrays

        Assert.Equal(new long[] { 3, 1, 4, 5 }, input.shape);
        Assert.Equal(ScalarType.Float32, input.dtype);
        Assert.Equal(expected, input.data<float>().ToArray());
        Assert.NotEqual(new float[expected.Length], expected); // the normalisation did something
    }
}
