using System.Security.Cryptography;
using Genre.Model;

namespace Genre.Library;

/// <summary>Names a model by its content: SHA-256 over its weights and its settings (config.json), first 16 hex digits.
/// Two folders holding the same model get the same fingerprint; retraining or editing a setting changes it.</summary>
public static class ModelFingerprint
{
    /// <param name="arithmetic">How the network computes (e.g. the precision), when it changes the answers; hashed too.</param>
    public static string Of(string modelDir, string? arithmetic = null)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var name in new[] { ModelStore.WeightsFile, ModelStore.ConfigFile })
        {
            string path = Path.Combine(modelDir, name);
            if (!File.Exists(path)) throw new GenreException($"{path}: not found (is {modelDir} a model folder? make one with ./genre train or ./genre demo)");
            using var stream = File.OpenRead(path);
            var buffer = new byte[1 << 16];
            for (int n; (n = stream.Read(buffer)) > 0;) sha.AppendData(buffer, 0, n);
        }
        if (arithmetic is not null) sha.AppendData(System.Text.Encoding.UTF8.GetBytes("\n" + arithmetic));
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }
}

/// <summary>What a song file looked like when it was read: size and modification time (to the tick).</summary>
public sealed record FileStamp(long Size, DateTime ModifiedUtc)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        return new FileStamp(info.Length, info.LastWriteTimeUtc);
    }

    /// <summary>Round-trip text of the modification time, as stored in results files and journals.</summary>
    public string ModifiedText => ModifiedUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
