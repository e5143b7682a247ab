using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;

namespace Genre.Cli;

/// <summary>Exit codes: what kind of failure a run ended with.</summary>
public static class ExitCode
{
    public const int Ok = 0, SomeFilesFailed = 1, Usage = 2, Failed = 3, Internal = 70, Interrupted = 130;
}

/// <summary>Parses, runs, and turns every failure into one line on standard error and an exit code.</summary>
public static class Runner
{
    public static int Run(Command root, string[] args)
    {
        if (args is ["--version"])
        {
            try { Console.Out.Write(GenreCli.Version()); return ExitCode.Ok; }
            catch (Exception e) when (e is GenreException or TypeInitializationException or DllNotFoundException)
            {
                Console.Out.WriteLine($"genre {Genre.Model.LibraryInfo.Version}");
                Ui.Error($"TorchSharp's native library could not be loaded ({e.GetBaseException().Message}); see docs/install.md");
                return ExitCode.Failed;
            }
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) Ui.Error(e.Message);
            string name = parse.CommandResult.Command.Name;
            Console.Error.WriteLine($"usage: see ./genre {(parse.CommandResult.Command == root ? "" : name + " ")}--help");
            return ExitCode.Usage;
        }
        using var interrupt = Interrupt.Install();
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (UsageException e)
        {
            Ui.Error(e.Message);
            Console.Error.WriteLine($"usage: see ./genre {parse.CommandResult.Command.Name} --help");
            return ExitCode.Usage;
        }
        catch (OperationCanceledException)
        {
            Ui.Error("interrupted; finished work was kept (re-run the same command to continue)");
            return ExitCode.Interrupted;
        }
        catch (GenreException e)
        {
            Ui.Error(e.Message);
            return ExitCode.Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Ui.Error(e.Message);
            return ExitCode.Failed;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException)
        {
            Ui.Error($"TorchSharp's native library could not be loaded ({e.GetBaseException().Message}); see README, 'TorchSharp on older Linux'");
            return ExitCode.Failed;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("GENRE_DEBUG") != "1")
        {
            Ui.Error($"internal error: {e.GetType().Name}: {e.Message} (please report it; GENRE_DEBUG=1 shows the stack trace)");
            return ExitCode.Internal;
        }
    }
}

/// <summary>A problem with the command line found after parsing (values out of range, conflicting options).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Ctrl+C and SIGTERM request a clean stop through <see cref="Token"/>; a second Ctrl+C exits at once.</summary>
public sealed class Interrupt : IDisposable
{
    static readonly CancellationTokenSource Source = new();
    public static CancellationToken Token => Source.Token;
    readonly List<PosixSignalRegistration> _registrations = new();

    public static Interrupt Install()
    {
        var i = new Interrupt();
        Console.CancelKeyPress += OnCancelKey;
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT })
            i._registrations.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                if (Source.IsCancellationRequested) return; // second signal: default action, exit now
                ctx.Cancel = true;
                Request();
            }));
        return i;
    }

    static void OnCancelKey(object? sender, ConsoleCancelEventArgs e)
    {
        if (Source.IsCancellationRequested) return;
        e.Cancel = true;
        Request();
    }

    static void Request()
    {
        Console.Error.WriteLine("stopping after the current step... (press Ctrl+C again to quit at once)");
        Source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKey;
        foreach (var r in _registrations) r.Dispose();
    }
}

/// <summary>Console helpers: messages and progress on standard error, results on standard output.</summary>
public static class Ui
{
    public static readonly IAnsiConsole Err = Unwrapped(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), Console.IsErrorRedirected);
    public static readonly IAnsiConsole Out = Unwrapped(AnsiConsole.Console, Console.IsOutputRedirected);

    /// <summary>Into a file or a pipe, lines are not wrapped: one message stays one line.</summary>
    static IAnsiConsole Unwrapped(IAnsiConsole console, bool redirected)
    {
        if (redirected) console.Profile.Width = 4096;
        return console;
    }

    public static void Error(string message) => Err.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    public static void Warn(string message) => Err.MarkupLine($"[yellow]warning:[/] {Markup.Escape(message)}");
    public static void Info(string message) => Err.MarkupLine(Markup.Escape(message));

    /// <summary>True when standard error is a terminal that can redraw a live progress display.</summary>
    public static bool Interactive => Err.Profile.Capabilities.Interactive && !Console.IsErrorRedirected;

    /// <summary>Runs <paramref name="work"/> with a factory of progress bars on standard error: live bars on a
    /// terminal, otherwise one line at every tenth of the way (logs stay short).</summary>
    public static T WithProgress<T>(Func<Func<string, int, IProgress<Data.SongProgress>>, T> work)
    {
        if (!Interactive) return work(LineProgress);
        return Err.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx => work((title, total) =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                return new SyncProgress<Data.SongProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.Total);
                    task.Value = Math.Max(task.Value, p.Done);
                });
            }));
    }

    static IProgress<Data.SongProgress> LineProgress(string title, int total)
    {
        int lastTenth = -1;
        var gate = new object();
        return new SyncProgress<Data.SongProgress>(p =>
        {
            lock (gate)
            {
                int tenth = p.Total == 0 ? 10 : p.Done * 10 / p.Total;
                if (tenth <= lastTenth) return;
                lastTenth = tenth;
                Console.Error.WriteLine($"{title}: {p.Done}/{p.Total}");
            }
        });
    }
}

/// <summary>An IProgress that calls back synchronously on the reporting thread (Progress&lt;T&gt; posts to the thread pool).</summary>
public sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
