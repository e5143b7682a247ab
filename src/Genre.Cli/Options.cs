using System.CommandLine;
using Genre.Features;
using Genre.Model;
using Genre.Prediction;

namespace Genre.Cli;

/// <summary>Options shared by several commands, defined once.</summary>
public static class SharedOptions
{
    /// <summary>Accepts only <paramref name="choices"/>; a bad value gets one line that names the option and the choices
    /// (System.CommandLine's own message names neither).</summary>
    public static T OneOf<T>(this T option, params string[] choices) where T : Option
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
                if (!choices.Contains(token.Value, StringComparer.Ordinal))
                    result.AddError($"{option.Name} {token.Value}: choose {string.Join(", ", choices[..^1])} or {choices[^1]}");
        });
        option.CompletionSources.Add(choices);
        return option;
    }

    static T Invalid<T>(System.CommandLine.Parsing.ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }

    public static Option<string> Precision()
    {
        var option = new Option<string>("--precision")
        {
            Description = "Network arithmetic: auto (bf16 where the processor has native bfloat16, else fp32), fp32 or bf16",
            DefaultValueFactory = _ => "auto",
        };
        option.OneOf([.. PrecisionChoice.Names]);
        return option;
    }

    /// <summary>Resolves --precision for this processor and says on stderr what was picked
    /// (call it once the command's other inputs are known to be good, so that errors stay one line).</summary>
    public static Precision ResolvePrecision(string choice)
    {
        var picked = PrecisionChoice.Resolve(choice);
        Ui.Info(PrecisionChoice.Describe(choice, picked));
        return picked;
    }

    public static Option<string?> Data() => new("--data") { Description = "Data folder: one sub-folder of audio files per genre (GTZAN and Kaggle layouts work)" };
    public static Option<string?> Cache() => new("--cache") { Description = "Feature cache written by ./genre prepare" };
    public static Option<double> MinConfidence() => new("--min-confidence")
    {
        Description = "A song is 'uncertain' when its genre's probability is below this (or fewer than half of its chunks agree)",
        DefaultValueFactory = _ => Genre.Prediction.Confidence.DefaultMinConfidence,
    };

    /// <summary>The --min-confidence value, refused outside [0, 1].</summary>
    public static double Checked(double minConfidence) => minConfidence is >= 0 and <= 1
        ? minConfidence : throw new UsageException($"--min-confidence {minConfidence} must be between 0 and 1");

    public static Option<string> Model(bool required = true) => new("--model") { Description = "Model folder (from ./genre train or ./genre demo)", Required = required };
    public static Option<Backend> Backend() => new("--backend")
    {
        Description = "Engine that runs the network: 'torch' (TorchSharp, default) or 'onnx' (ONNX Runtime on the exported graph)",
        DefaultValueFactory = _ => Prediction.Backend.Torch,
        CustomParser = r => r.Tokens.Single().Value.ToLowerInvariant() switch
        {
            "torch" => Prediction.Backend.Torch,
            "onnx" => Prediction.Backend.Onnx,
            var v => Invalid<Backend>(r, $"--backend {v}: choose torch or onnx"),
        },
    };

    public static Option<MelScale> Scale() => new("--scale")
    {
        Description = "Mel values: 'db' (decibels relative to each chunk's maximum, floor -80 dB; default) or 'power' (raw, as the tutorial)",
        DefaultValueFactory = _ => MelScale.Db,
        CustomParser = r => r.Tokens.Single().Value.ToLowerInvariant() switch
        {
            "db" => MelScale.Db,
            "power" => MelScale.Power,
            var v => Invalid<MelScale>(r, $"--scale {v}: choose db or power"),
        },
    };
}
