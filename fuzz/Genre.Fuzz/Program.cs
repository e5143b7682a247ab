using System.Diagnostics;
using System.Security.Cryptography;
using Genre.Fuzz;

// Modes (fuzz/run.sh drives them):
//   afl [all|wav|au]            the SharpFuzz/AFL++ target: reads one input per execution from AFL
//   seeds DIR                   writes the seed corpus of small valid WAV/AU files
//   mutate DIR SECONDS SEED OUT [all|wav|au]  seeded random mutation of the files in DIR for SECONDS; crashes/hangs go to OUT
//   replay FILE...              runs files through the target and prints the outcome of each
const double HangSeconds = 5;
switch (args.FirstOrDefault())
{
    case "afl" when args.Length == 1 || FuzzTarget.Targets.Contains(args[1]):
        string target = args.Length > 1 ? args[1] : "all";
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            FuzzTarget.Check(copy.ToArray(), target);
        });
        return 0;
    case "seeds" when args.Length == 2:
        Directory.CreateDirectory(args[1]);
        foreach (var (name, data) in Seeds.All()) File.WriteAllBytes(Path.Combine(args[1], name), data);
        Console.WriteLine($"wrote {Seeds.All().Count()} seed files to {args[1]}");
        return 0;
    case "mutate" when args.Length == 5 || (args.Length == 6 && FuzzTarget.Targets.Contains(args[5])):
        return Mutate(args[1], double.Parse(args[2]), int.Parse(args[3]), args[4], args.Length == 6 ? args[5] : "all");
    case "replay" when args.Length >= 2:
        int failures = 0;
        foreach (var file in args.Skip(1))
        {
            var (outcome, seconds) = Outcome(File.ReadAllBytes(file));
            Console.WriteLine($"{file}: {outcome} ({seconds:F3} s)");
            if (outcome.StartsWith("CRASH") || seconds > HangSeconds) failures++;
        }
        return failures == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: Genre.Fuzz afl [all|wav|au] | seeds DIR | mutate CORPUS SECONDS SEED OUT [all|wav|au] | replay FILE...");
        return 2;
}

static (string Outcome, double Seconds) Outcome(byte[] data, string target = "all")
{
    var clock = Stopwatch.StartNew();
    try
    {
        return ($"decoded {FuzzTarget.Check(data, target)} way(s)", clock.Elapsed.TotalSeconds);
    }
    catch (Exception e)
    {
        return ($"CRASH {e.GetType().Name}: {e.Message.Split('\n')[0]}", clock.Elapsed.TotalSeconds);
    }
}

static int Mutate(string corpusDir, double seconds, int seed, string outDir, string target)
{
    var corpus = Directory.GetFiles(corpusDir).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
    var mutator = new Mutator(seed);
    var pick = new Random(seed + 1);
    var outcomes = new SortedDictionary<string, long>(StringComparer.Ordinal);
    long executions = 0, crashes = 0, hangs = 0;
    var clock = Stopwatch.StartNew();
    var progress = Stopwatch.StartNew();
    byte[] previous = corpus[0];
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        // Mostly fresh mutants of a seed, sometimes a mutant of the last mutant (deeper stacks).
        var parent = pick.Next(4) == 0 ? previous : corpus[pick.Next(corpus.Count)];
        var input = mutator.Mutate(parent);
        previous = input;
        var (outcome, took) = Outcome(input, target);
        executions++;
        string kind = outcome.StartsWith("CRASH") ? outcome.Split(':')[0] : outcome;
        outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        bool crash = outcome.StartsWith("CRASH"), hang = took > HangSeconds;
        if (crash || hang)
        {
            if (crash) crashes++; else hangs++;
            Directory.CreateDirectory(outDir);
            string name = $"{(crash ? "crash" : "hang")}-{Convert.ToHexString(SHA256.HashData(input))[..16].ToLowerInvariant()}.bin";
            File.WriteAllBytes(Path.Combine(outDir, name), input);
            Console.WriteLine($"{name}: {outcome} ({took:F2} s)");
        }
        if (progress.Elapsed.TotalSeconds >= 60)
        {
            Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s: {executions:N0} executions");
            progress.Restart();
        }
    }
    double elapsed = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"fuzz executions: {executions:N0} in {elapsed:F0} s ({executions / elapsed:N0}/s), target {target}, seed {seed}, {corpus.Count} seed files");
    foreach (var (kind, n) in outcomes) Console.WriteLine($"  {n,10:N0}  {kind}");
    Console.WriteLine($"crashes: {crashes}, hangs: {hangs}");
    return crashes + hangs == 0 ? 0 : 1;
}
