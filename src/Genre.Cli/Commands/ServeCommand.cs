using System.CommandLine;
using Genre.Interop;
using Genre.Web;

namespace Genre.Cli.Commands;

public static class ServeCommand
{
    public static Command Create()
    {
        var model = SharedOptions.Model();
        var port = new Option<int>("--port") { Description = "TCP port", DefaultValueFactory = _ => 5000 };
        var host = new Option<string>("--host") { Description = "Address to listen on (loopback by default; the page has no authentication)", DefaultValueFactory = _ => "127.0.0.1" };
        var precision = SharedOptions.Precision();
        var backend = SharedOptions.Backend();
        var maxUploadMb = new Option<int>("--max-upload-mb") { Description = "Larger uploads are refused with 413", DefaultValueFactory = _ => (int)(WebOptions.DefaultMaxUploadBytes >> 20) };
        var maxConcurrent = new Option<int>("--max-concurrent") { Description = "Songs decoded and predicted at once (default: one per core)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var maxQueue = new Option<int>("--max-queue") { Description = "Uploads admitted beyond those to wait their turn; more get 503 with Retry-After", DefaultValueFactory = _ => WebOptions.DefaultMaxQueued };
        var cmd = new Command("serve", "Serve a local web page to drop songs on, and its JSON API") { model, port, host, precision, backend, maxUploadMb, maxConcurrent, maxQueue };
        cmd.SetAction(r =>
        {
            int p = r.GetValue(port);
            if (p < 0 || p > 65535) throw new UsageException($"--port {p} must be 0..65535");
            var engine = r.GetValue(backend);
            var limits = new WebOptions(r.GetValue(host)!, p, (long)AtLeast(1, r.GetValue(maxUploadMb), "--max-upload-mb") << 20)
            {
                MaxRunning = AtLeast(1, r.GetValue(maxConcurrent), "--max-concurrent"),
                MaxQueued = AtLeast(0, r.GetValue(maxQueue), "--max-queue"),
            };
            using var trained = PredictCommand.LoadModel(r.GetValue(model)!, PredictCommand.EnginePrecision(r.GetValue(precision)!, engine));
            using var scorer = OnnxScorer.For(trained, engine);
            var app = WebApp.Build(trained, limits, scorer);
            app.StartAsync(Interrupt.Token).GetAwaiter().GetResult();
            foreach (var url in app.Urls) Console.Out.WriteLine($"listening on {url} (Ctrl+C to stop)");
            Console.Out.Flush();
            try { Task.Delay(Timeout.Infinite, Interrupt.Token).GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { }
            app.StopAsync().GetAwaiter().GetResult();
            Ui.Info("stopped");
            return ExitCode.Ok;
        });
        return cmd;
    }

    static int AtLeast(int min, int value, string option) => value >= min ? value : throw new UsageException($"{option} {value} must be {min} or more");
}
