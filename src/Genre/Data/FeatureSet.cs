using Genre.Features;

namespace Genre.Data;

/// <summary>A song of a feature set: its key in the data set, genre label index and chunk range.</summary>
public sealed record SongEntry(string Key, int Label, int FirstChunk, int ChunkCount);

/// <summary>
/// Feature images of a labelled data set in memory, chunk by chunk, with the song each chunk came
/// from (training must split by song). Built by <see cref="FeatureCache"/> or computed directly.
/// </summary>
public sealed class FeatureSet
{
    readonly List<float[]> _images = new();
    readonly List<int> _chunkSong = new();
    readonly List<SongEntry> _songs = new();

    public FeatureSet(FeatureSettings settings, IReadOnlyList<string> genres)
    {
        Settings = settings;
        Genres = genres;
    }

    public FeatureSettings Settings { get; }
    public IReadOnlyList<string> Genres { get; }
    public IReadOnlyList<SongEntry> Songs => _songs;
    public IReadOnlyList<float[]> Images => _images;
    public IReadOnlyList<int> ChunkSong => _chunkSong;
    public int ChunkCount => _images.Count;
    public int Label(int chunk) => _songs[_chunkSong[chunk]].Label;

    public void AddSong(string key, int label, IReadOnlyList<float[]> images)
    {
        if (images.Count == 0) return;
        _songs.Add(new SongEntry(key, label, _images.Count, images.Count));
        foreach (var image in images)
        {
            _images.Add(image);
            _chunkSong.Add(_songs.Count - 1);
        }
    }
}
