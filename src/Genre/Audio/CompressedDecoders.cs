using NLayer;
using NVorbis;

namespace Genre.Audio;

/// <summary>Ogg Vorbis through NVorbis (managed: works without ffmpeg).</summary>
public sealed class VorbisAudioStream : InterleavedAudioStream
{
    readonly VorbisReader _reader;

    public VorbisAudioStream(Stream stream, string source)
    {
        try { _reader = new VorbisReader(stream, closeOnDispose: true); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stream.Dispose();
            throw new AudioFormatException($"{source}: not a readable Ogg Vorbis file ({e.Message})", e);
        }
        var probe = new PcmFormat(SampleEncoding.Float, 32, _reader.Channels, _reader.SampleRate, false);
        probe.Validate(source);
        Source = source;
    }

    string Source { get; }
    public override int SampleRate => _reader.SampleRate;
    public override int Channels => _reader.Channels;

    protected override int ReadInterleaved(float[] buffer, int frames)
    {
        try { return _reader.ReadSamples(buffer, 0, frames * Channels) / Channels; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AudioFormatException($"{Source}: Ogg Vorbis stream is corrupt ({e.Message})", e);
        }
    }

    public override void Dispose()
    {
        _reader.Dispose();
        base.Dispose();
    }
}

/// <summary>MPEG audio (MP3) through NLayer (managed: works without ffmpeg).</summary>
public sealed class Mp3AudioStream : InterleavedAudioStream
{
    readonly MpegFile _file;

    public Mp3AudioStream(Stream stream, string source)
    {
        Source = source;
        try { _file = new MpegFile(stream); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            stream.Dispose();
            throw new AudioFormatException($"{source}: not a readable MP3 file ({e.Message})", e);
        }
        if (_file.SampleRate <= 0 || _file.Channels <= 0)
            throw new AudioFormatException($"{source}: no MPEG audio frames found (not an MP3 file)");
    }

    string Source { get; }
    public override int SampleRate => _file.SampleRate;
    public override int Channels => _file.Channels;

    protected override int ReadInterleaved(float[] buffer, int frames)
    {
        try { return _file.ReadSamples(buffer, 0, frames * Channels) / Channels; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new AudioFormatException($"{Source}: MP3 stream is corrupt ({e.Message})", e);
        }
    }

    public override void Dispose()
    {
        _file.Dispose();
        base.Dispose();
    }
}
