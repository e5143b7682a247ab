using Genre.Features;

namespace Genre.Reports;

/// <summary>Writes a stack of equally sized images as one (count, height, width) float32 .npy, atomically.</summary>
public static class AtomicFileNpy
{
    public static void Write(string path, IReadOnlyList<float[]> images, int height, int width, bool durable = true) =>
        AtomicFile.Write(path, s =>
        {
            Npy.WriteHeader(s, [images.Count, height, width]);
            foreach (var image in images) Npy.WriteData(s, image);
        }, durable);
}
