namespace Genre;

/// <summary>The one root exception of the library: its message is written for the user and names
/// the file or setting at fault, what is wrong and what to do.</summary>
public class GenreException : Exception
{
    public GenreException(string message) : base(message) { }
    public GenreException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An audio file that cannot be decoded (corrupt, truncated, unsupported).</summary>
public sealed class AudioFormatException : GenreException
{
    public AudioFormatException(string message) : base(message) { }
    public AudioFormatException(string message, Exception inner) : base(message, inner) { }
}
