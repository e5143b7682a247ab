using Genre.Model;
using static TorchSharp.torch;

namespace Genre.Tests.Model;

public class ArchitectureTests
{
    [Fact]
    public void Seed_network_has_the_tutorial_parameter_count_and_shapes()
    {
        var arch = Architecture.Create("seed", 10);
        Assert.Equal(7_182_458, arch.TotalParameters);
        var flatten = arch.Shapes()[arch.Layers.ToList().FindIndex(l => l is FlattenSpec)];
        Assert.Equal(2048, flatten.Channels);
        using var net = new GenreNet(arch);
        Assert.Equal(7_182_458, net.parameters().Sum(p => p.numel()));
        net.eval();
        using var x = zeros(2, 1, 150, 150);
        using var y = net.call(x);
        Assert.Equal(new long[] { 2, 10 }, y.shape);
    }

    [Fact]
    public void Compact_network_is_much_smaller_and_runs()
    {
        var arch = Architecture.Create("compact", 6);
        Assert.True(arch.TotalParameters * 10 < Architecture.Create("seed", 6).TotalParameters, $"{arch.TotalParameters}");
        using var net = new GenreNet(arch);
        Assert.Equal(arch.TotalParameters, net.parameters().Sum(p => p.numel()));
        net.eval();
        using var y = net.call(zeros(3, 1, 150, 150));
        Assert.Equal(new long[] { 3, 6 }, y.shape);
    }

    [Fact]
    public void Unknown_architecture_and_tiny_inputs_are_refused()
    {
        Assert.Contains("unknown architecture", Assert.Throws<GenreException>(() => Architecture.Create("huge", 10)).Message);
        Assert.Contains("too small", Assert.Throws<GenreException>(() => Architecture.Create("seed", 10, 40, 40).Shapes()).Message);
    }
}

public class ModelStoreTests
{
    [Fact]
    public void Weights_round_trip_bit_exactly_through_safetensors()
    {
        using var dir = new TempDir();
        var arch = Architecture.Create("compact", 4);
        manual_seed(1);
        using var a = new GenreNet(arch);
        string path = dir.File("w.safetensors");
        ModelStore.SaveWeights(a, path);
        manual_seed(2);
        using var b = new GenreNet(arch);
        ModelStore.LoadWeights(b, path);
        a.eval(); b.eval();
        using var x = randn(2, 1, 150, 150);
        using var ya = a.call(x);
        using var yb = b.call(x);
        Assert.Equal(ya.data<float>().ToArray(), yb.data<float>().ToArray());
    }

    [Fact]
    public void Safetensors_header_is_readable_by_other_tools()
    {
        using var dir = new TempDir();
        string path = dir.File("t.safetensors");
        SafeTensors.Write(path, [new NamedTensor("a", [2, 3], [1, 2, 3, 4, 5, 6])]);
        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength);
        Assert.Contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", header);
        Assert.Equal(8 + headerLength + 24, bytes.Length);
        Assert.Equal(0, (8 + headerLength) % 8);
    }

    [Fact]
    public void Lying_safetensors_headers_are_refused_by_name()
    {
        using var dir = new TempDir();
        string path = dir.File("t.safetensors");
        void WriteHeader(string json, int dataBytes, long? lengthOverride = null)
        {
            var h = System.Text.Encoding.UTF8.GetBytes(json);
            using var s = File.Create(path);
            s.Write(BitConverter.GetBytes(lengthOverride ?? h.Length));
            s.Write(h);
            s.Write(new byte[dataBytes]);
        }
        WriteHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,800]}}", 8);
        Assert.Contains("outside", Assert.Throws<GenreException>(() => SafeTensors.Read(path)).Message);
        WriteHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8);
        Assert.Contains("does not match", Assert.Throws<GenreException>(() => SafeTensors.Read(path)).Message);
        WriteHeader("{}", 8, lengthOverride: 10_000_000_000);
        Assert.Contains("header length", Assert.Throws<GenreException>(() => SafeTensors.Read(path)).Message);
        WriteHeader("{not json", 8);
        Assert.Contains("not valid JSON", Assert.Throws<GenreException>(() => SafeTensors.Read(path)).Message);
    }
}
