using Genre.Native;

namespace Genre.Tests.Native;

public class TorchNativeFixTests
{
    static string PristineLibrary()
    {
        string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchNativeFix.LibraryFileName);
    }

    [Fact]
    public void Marking_the_version_need_weak_changes_one_flag_and_is_idempotent()
    {
        string pristine = PristineLibrary();
        Assert.True(File.Exists(pristine), $"restore TorchSharp first: {pristine}");
        using var dir = new TempDir();
        string copy = dir.File(TorchNativeFix.LibraryFileName);
        File.Copy(pristine, copy);
        Assert.False(ElfVersionNeed.IsWeak(copy, TorchNativeFix.MissingVersion));

        Assert.True(ElfVersionNeed.MakeWeak(copy, TorchNativeFix.MissingVersion));
        Assert.True(ElfVersionNeed.IsWeak(copy, TorchNativeFix.MissingVersion));
        Assert.False(ElfVersionNeed.MakeWeak(copy, TorchNativeFix.MissingVersion)); // second run: nothing to do

        var before = File.ReadAllBytes(pristine);
        var after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second));
    }

    [Fact]
    public void A_version_the_library_does_not_need_is_left_alone()
    {
        using var dir = new TempDir();
        string copy = dir.File("lib.so");
        File.Copy(PristineLibrary(), copy);
        Assert.False(ElfVersionNeed.MakeWeak(copy, "GLIBCXX_99.0"));
    }

    [Fact]
    public void Non_elf_files_are_refused() =>
        Assert.Throws<InvalidDataException>(() => ElfVersionNeed.FindFlagsOffset(new byte[100], "x"));
}
