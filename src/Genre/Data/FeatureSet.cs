using Genre.Features;

namespace Genre.Data;

/// <summary>A song of a feature set: its key in the data set, genre label index and chunk range.</summary>
public sealed record SongEntry(string Key, int Label, int FirstChunk, int ChunkCount);

/// <summary>What the feature pipeline made of one song: chunk images (chunk layout) or its whole mel spectrogram (song layout).</summary>
public sealed record SongFeatures(IReadOnlyList<float[]>? Images, SongMel? Mel)
{
    public static SongFeatures Of(IReadOnlyList<float[]> images) => new(images, null);
    public static SongFeatures Of(SongMel mel) => new(null, mel);
    /// <summary>The song's chunks on the fixed grid.</summary>
    public int Chunks(FeatureSettings settings) => Images?.Count ?? SongWindows.Count(settings, Mel!.Frames);
}

/// <summary>
/// Features of a labelled data set in memory, with the song each chunk came from (training must split by song).
/// Chunk layout: one stored image per chunk. Song layout: each song's mel spectrogram, and its chunks are the
/// grid windows, cut when asked for (<see cref="Image"/>); training may cut a window anywhere (<see cref="Crop"/>).
/// Built by <see cref="FeatureCache"/> or computed directly.
/// </summary>
public sealed class FeatureSet
{
    readonly List<float[]> _images = new();      // chunk layout
    readonly List<SongMel> _mels = new();        // song layout, one per song
    readonly List<int> _chunkStart = new();      // song layout: first frame of each grid chunk
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
    public IReadOnlyList<int> ChunkSong => _chunkSong;
    public int ChunkCount => _chunkSong.Count;
    public int Label(int chunk) => _songs[_chunkSong[chunk]].Label;
    /// <summary>True when chunks can be cut at any frame (song layout), not only on the grid.</summary>
    public bool CanCrop => Settings.Layout == FeatureLayout.Song;

    public void AddSong(string key, int label, SongFeatures features)
    {
        if (features.Images is { } images) AddSong(key, label, images);
        else AddSong(key, label, features.Mel!);
    }

    public void AddSong(string key, int label, IReadOnlyList<float[]> images)
    {
        if (CanCrop) throw new InvalidOperationException("a song-layout set holds mel spectrograms, not chunk images");
        if (images.Count == 0) return;
        _songs.Add(new SongEntry(key, label, _chunkSong.Count, images.Count));
        foreach (var image in images)
        {
            _images.Add(image);
            _chunkSong.Add(_songs.Count - 1);
        }
    }

    public void AddSong(string key, int label, SongMel mel)
    {
        if (!CanCrop) throw new InvalidOperationException("a chunk-layout set holds chunk images, not mel spectrograms");
        if (mel.Bands != Settings.NMels) throw new GenreException($"{key}: features have {mel.Bands} mel bands, the settings {Settings.NMels}");
        int count = SongWindows.Count(Settings, mel.Frames);
        if (count == 0) return;
        _songs.Add(new SongEntry(key, label, _chunkSong.Count, count));
        _mels.Add(mel);
        for (int c = 0; c < count; c++)
        {
            _chunkStart.Add(SongWindows.Start(Settings, mel.Frames, c));
            _chunkSong.Add(_songs.Count - 1);
        }
    }

    /// <summary>The image of grid chunk <paramref name="chunk"/> (InputSize values, not yet normalised) into <paramref name="destination"/>.</summary>
    public void Image(int chunk, Span<float> destination)
    {
        if (!CanCrop) { _images[chunk].CopyTo(destination); return; }
        Crop(_chunkSong[chunk], _chunkStart[chunk], destination);
    }

    /// <summary>Song layout: frames of song <paramref name="song"/>'s spectrogram.</summary>
    public int Frames(int song) => _mels[song].Frames;

    /// <summary>Song layout: song <paramref name="song"/>'s whole dB mel spectrogram.</summary>
    public SongMel Mel(int song) => _mels[song];

    /// <summary>Song layout: the window of song <paramref name="song"/> starting at frame <paramref name="start"/>
    /// (0..<see cref="SongWindows.LastStart"/>) into <paramref name="destination"/>.</summary>
    public void Crop(int song, int start, Span<float> destination)
    {
        var mel = _mels[song];
        SongWindows.Cut(Settings, mel.Values, mel.Frames, start, destination);
    }
}
