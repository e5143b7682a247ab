using Genre.Features;
using Genre.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Genre.Training;

/// <summary>
/// Transfer to other genres (<c>--init-from</c>): a new network takes a trained model's layers up to the head
/// (its convolutions, batch norms and their statistics), checked by name and shape, and keeps its own freshly
/// made head, sized for its own genres. With <c>--freeze</c> only the head trains.
/// </summary>
public static class Transfer
{
    /// <summary>Copies the body of the model in <paramref name="modelDir"/> into <paramref name="net"/>.</summary>
    public static void LoadBody(GenreNet net, string modelDir, FeatureSettings features)
    {
        if (!Directory.Exists(modelDir)) throw new GenreException($"--init-from {modelDir}: model folder not found");
        var config = ModelConfig.Load(Path.Combine(modelDir, ModelStore.ConfigFile));
        if (config.Architecture != net.Architecture.Name)
            throw new GenreException($"--init-from {modelDir}: it is a '{config.Architecture}' network, this run trains '{net.Architecture.Name}'; give the same --arch");
        if (config.Features != features)
            throw new GenreException($"--init-from {modelDir}: it was trained on other features ({Interop.InputDescription.Of(config)}); " +
                "prepare the data with its settings (the same --recipe)");
        string weights = Path.Combine(modelDir, ModelStore.WeightsFile);
        var (tensors, _) = SafeTensors.Read(weights);
        var byName = tensors.ToDictionary(t => t.Name);
        using var _ = no_grad();
        foreach (var (name, p) in net.NamedWeights().Where(w => !net.IsHeadWeight(w.Name)))
        {
            if (!byName.TryGetValue(name, out var t)) throw new GenreException($"{weights}: no weight '{name}'; is it a model of this program?");
            if (!t.Shape.SequenceEqual(p.shape))
                throw new GenreException($"{weights}: weight '{name}' has shape [{string.Join(", ", t.Shape)}], the network needs [{string.Join(", ", p.shape)}]");
            if (t.Data.Any(v => !float.IsFinite(v))) throw new GenreException($"{weights}: weight '{name}' contains NaN or infinite values");
            using var source = tensor(t.Data, t.Shape);
            p.copy_(source);
        }
    }

    /// <summary>The head's parameters; the body's stop asking for gradients (nothing computes what nobody uses).</summary>
    public static IEnumerable<Parameter> HeadParameters(GenreNet net)
    {
        var head = new List<Parameter>();
        foreach (var (name, p) in net.named_parameters())
        {
            string local = name.StartsWith("layers.", StringComparison.Ordinal) ? name["layers.".Length..] : name;
            if (net.IsHeadWeight(local)) head.Add(p);
            else p.requires_grad_(false);
        }
        return head;
    }
}
