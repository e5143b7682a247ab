using System.Diagnostics;
using System.Globalization;
using Genre.Explanation;
using Genre.Model;
using Genre.Prediction;
using Genre.Reports;

/// <summary>
/// `Genre.Bench explain --model M --song S [--repeat 5]`: in-process time of predicting a song
/// (features + network) against explaining it (features + Grad-CAM), and with the PNG figure;
/// medians after one warm-up of each, so start-up and JIT are left out.
/// </summary>
static class ExplainBench
{
    public static int Run(string[] a)
    {
        string Get(string name, string fallback) { int i = Array.IndexOf(a, name); return i >= 0 && i + 1 < a.Length ? a[i + 1] : fallback; }
        string modelDir = Get("--model", ""), song = Get("--song", "");
        int repeat = int.Parse(Get("--repeat", "5"), CultureInfo.InvariantCulture);
        if (modelDir == "" || song == "")
        {
            Console.Error.WriteLine("usage: Genre.Bench explain --model MODEL_DIR --song FILE [--repeat 5]");
            return 2;
        }
        using var model = ModelStore.Load(modelDir);
        var predictor = new Predictor(model);
        var explainer = new Explainer(predictor);
        double Median(Action work)
        {
            work();
            var times = Enumerable.Range(0, repeat).Select(_ => { var c = Stopwatch.StartNew(); work(); return c.Elapsed.TotalMilliseconds; }).Order().ToArray();
            return times[times.Length / 2];
        }
        double predict = Median(() => predictor.Predict(song));
        double explain = Median(() => explainer.Explain(song));
        double figure = Median(() => ExplanationImage.Png(explainer.Explain(song), model.Config.Features));
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"arch={model.Config.Architecture} predict_ms={F(predict)} explain_ms={F(explain)} explain_with_png_ms={F(figure)} " +
            $"ratio={F(explain / predict)} ratio_with_png={F(figure / predict)}");
        return 0;
    }
}
