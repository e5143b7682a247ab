using System.Text;
using System.Text.RegularExpressions;

namespace Genre.Tests.Docs;

/// <summary>
/// The README and the pages under docs/ link to each other and to files of the repository: every relative link must
/// reach an existing file, and every #anchor a heading of the target Markdown file (GitHub's slugs). The README stays
/// a front door of at most 15,000 bytes. Reads files only; no network.
/// </summary>
public partial class DocLinkTests
{
    static readonly string Root = Genre.Tests.Cli.ChildProcess.RepoRoot;

    const int ReadmeLimit = 15_000;

    static IEnumerable<string> Pages()
    {
        yield return Path.Combine(Root, "README.md");
        yield return Path.Combine(Root, "scale", "README.md");
        foreach (var page in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
            yield return page;
    }

    [GeneratedRegex(@"^\s*(```|~~~)")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"(`+)(.+?)\1")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"\]\(\s*<?([^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)")]
    private static partial Regex LinkTarget();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex Scheme();

    /// <summary>The lines of a Markdown file outside fenced code blocks, with their 1-based numbers.</summary>
    static IEnumerable<(int Number, string Text)> ProseLines(string path)
    {
        bool inFence = false;
        int number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (Fence().IsMatch(line)) { inFence = !inFence; continue; }
            if (!inFence) yield return (number, line);
        }
    }

    /// <summary>GitHub's anchor for a heading: lowercase; only letters, digits, spaces, hyphens and underscores kept;
    /// spaces become hyphens.</summary>
    public static string Slug(string heading)
    {
        var sb = new StringBuilder(heading.Length);
        foreach (char c in heading.Trim().ToLowerInvariant())
            if (char.IsLetterOrDigit(c) || c == '-' || c == '_') sb.Append(c);
            else if (c == ' ') sb.Append('-');
        return sb.ToString();
    }

    /// <summary>Every anchor a Markdown file offers: its headings' slugs, repeated ones numbered -1, -2... as GitHub does.</summary>
    static HashSet<string> Anchors(string path)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (_, line) in ProseLines(path))
        {
            var m = Heading().Match(line);
            if (!m.Success) continue;
            string slug = Slug(m.Groups[1].Value);
            int n = seen.GetValueOrDefault(slug);
            seen[slug] = n + 1;
            anchors.Add(n == 0 ? slug : $"{slug}-{n}");
        }
        return anchors;
    }

    /// <summary>The relative link targets of a Markdown file (images included), with their line numbers; code is skipped.</summary>
    static IEnumerable<(int Line, string Target)> RelativeLinks(string path)
    {
        foreach (var (number, line) in ProseLines(path))
        {
            string prose = InlineCode().Replace(line, "code"); // `[a](b)` in code is not a link; [`a`](b) still is
            foreach (Match m in LinkTarget().Matches(prose))
            {
                string target = m.Groups[1].Value;
                if (!Scheme().IsMatch(target)) yield return (number, target);
            }
        }
    }

    [Fact]
    public void Every_relative_link_of_the_readme_and_the_docs_reaches_a_file_and_a_heading()
    {
        var anchorCache = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var broken = new List<string>();
        int checkedLinks = 0;
        foreach (var page in Pages())
        {
            string from = Path.GetRelativePath(Root, page);
            foreach (var (line, target) in RelativeLinks(page))
            {
                checkedLinks++;
                int hash = target.IndexOf('#');
                string file = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
                string? anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
                string resolved = file.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, file));
                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add($"{from}:{line}: {target}: no such file ({Path.GetRelativePath(Root, resolved)})");
                    continue;
                }
                if (anchor is null) continue;
                if (!resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase) || !File.Exists(resolved))
                {
                    broken.Add($"{from}:{line}: {target}: an anchor into a file that is not Markdown");
                    continue;
                }
                if (!anchorCache.TryGetValue(resolved, out var anchors)) anchorCache[resolved] = anchors = Anchors(resolved);
                if (!anchors.Contains(anchor))
                    broken.Add($"{from}:{line}: {target}: no heading with the anchor #{anchor} in {Path.GetRelativePath(Root, resolved)}");
            }
        }
        Assert.True(checkedLinks >= 20, $"only {checkedLinks} relative links found in README.md and docs/*.md: is the repository root {Root}?");
        Assert.True(broken.Count == 0, $"{broken.Count} broken link(s):\n" + string.Join("\n", broken));
    }

    [Fact]
    public void The_readme_is_a_front_door_of_at_most_15000_bytes()
    {
        long size = new FileInfo(Path.Combine(Root, "README.md")).Length;
        Assert.True(size <= ReadmeLimit, $"README.md is {size} bytes, over {ReadmeLimit}: move detail into docs/");
    }

    [Theory]
    [InlineData("Features (`prepare`)", "features-prepare")]
    [InlineData("genre predict --results", "genre-predict---results")]
    [InlineData("TorchSharp on older Linux (what the project fixes by itself)", "torchsharp-on-older-linux-what-the-project-fixes-by-itself")]
    [InlineData("Training and inference: `--precision` and channels-last (the seed network, batch 32, 150x150)",
        "training-and-inference---precision-and-channels-last-the-seed-network-batch-32-150x150")]
    [InlineData("A music library (`bench/library.sh`)", "a-music-library-benchlibrarysh")]
    public void Slugs_follow_GitHub(string heading, string slug) => Assert.Equal(slug, Slug(heading));
}
