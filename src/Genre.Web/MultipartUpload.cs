using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Genre.Web;

/// <summary>An upload the server refuses, with the HTTP status that says why.</summary>
sealed class UploadRefusedException(int status, string message) : Exception(message)
{
    public int Status => status;
}

/// <summary>
/// Streams the one file of a multipart/form-data request (field <c>file</c>) to disk as it arrives, so
/// that memory use does not grow with the upload's size. Every way a body can be malformed ends in an
/// <see cref="UploadRefusedException"/>; other form fields are read and ignored.
/// </summary>
static class MultipartUpload
{
    public const string Field = "file";
    /// <summary>Headers of one part (name, file name, type): a few hundred bytes in practice.</summary>
    const int PartHeadersLimit = 16 * 1024;

    /// <summary>Writes the uploaded file to <paramref name="path"/> and returns the file name the client gave (may contain a path; never used as one).</summary>
    public static async Task<string> SaveAsync(HttpRequest request, string path, CancellationToken cancel)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw Bad($"send the song as multipart/form-data in a field named '{Field}'");
        string boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value ?? "";
        if (boundary.Length is 0 or > 70) throw Bad("the multipart Content-Type has no valid boundary (1-70 characters)");

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = PartHeadersLimit };
        string? name = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancel) is { } section)
            {
                bool isFile = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    && disposition.IsFileDisposition() && HeaderUtilities.RemoveQuotes(disposition.Name).Value == Field;
                if (!isFile) { await section.Body.CopyToAsync(Stream.Null, cancel); continue; }
                if (name is not null) throw Bad($"send one file per request (this one has several in '{Field}')");
                name = HeaderUtilities.RemoveQuotes(disposition!.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "";
                await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                await section.Body.CopyToAsync(file, cancel);
            }
        }
        catch (BadHttpRequestException e) { throw new UploadRefusedException(e.StatusCode, e.StatusCode == StatusCodes.Status400BadRequest ? $"malformed request body ({e.Message})" : e.Message); }
        catch (InvalidDataException e) { throw Bad($"malformed multipart body ({e.Message})"); }
        catch (Exception e) when (Genre.Reports.StorageErrors.IsDiskFull(e) || Genre.Reports.StorageErrors.IsReadOnly(e)) { throw NoRoom(); }
        catch (IOException e) { throw Bad($"the multipart body could not be read to its closing boundary ({e.Message})"); }
        if (name is null || new FileInfo(path).Length == 0) throw Bad($"no file in the upload (field '{Field}')");
        return name;
    }

    static UploadRefusedException Bad(string message) => new(StatusCodes.Status400BadRequest, message);

    /// <summary>507 Insufficient Storage: the server could not store the upload (its disk is full or its temporary folder read-only).</summary>
    public static UploadRefusedException NoRoom() =>
        new(StatusCodes.Status507InsufficientStorage, "the server has no room to store the upload (its disk is full); try again later");
}
