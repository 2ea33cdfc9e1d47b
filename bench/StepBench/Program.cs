using System.Globalization;
using Dsl.Backend.Torch;
using Dsl.Bench;
using Dsl.Bench.Measure;
using Dsl.Bench.Rows;
using Dsl.Models.Training;
using TorchSharp;

// One DSL training step (the shared Trainer's compiled step graph on TorchBackend("cpu")) against a
// hand-written TorchSharp autograd + torch.optim reference of the same network, row by row: same
// process, same initial values, same inputs, losses compared before timing. See bench/README.md.

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}
TorchRuntime.EnsureInitialized();
if (options.Threads > 0) torch.set_num_threads(options.Threads);
string machine = $"{Environment.ProcessorCount} cores, torch threads {torch.get_num_threads()}";
var resultsPath = options.Child ? null : ResultsFile.PathFor(options.Results);

if (options.Command == "list")
{
    foreach (var r in RowCatalog.All)
        Console.WriteLine($"{r.Name,-22} batch {r.Images,4}  check {r.Counts.Check} warmup {r.Counts.Warmup} rounds {r.Counts.Rounds} x {r.Counts.Steps} steps  {r.Network}");
    return 0;
}
if (options.Command == "build")
{
    var table = BuildCommand.Run();
    Console.WriteLine();
    Console.Write(table);
    Write("Graph build", $"{Stamp()}; Trainer construction on TorchBackend(\"cpu\"), {machine}.\n\n{table}");
    return 0;
}

var rows = new List<Row>();
foreach (var name in options.Command == "all" ? RowCatalog.All.Select(r => r.Name) : options.Rows)
{
    if (RowCatalog.Find(name) is not { } row)
    {
        Console.Error.WriteLine($"error: no row '{name}'; rows: {string.Join(", ", RowCatalog.All.Select(r => r.Name))}");
        return 2;
    }
    rows.Add(options.Sgd ? row with { Options = row.Options with { Optimizer = new Sgd(Momentum: 0.9) } } : row);
}

if (options.Memory)
{
    var memory = MemoryCommand.Run(rows, options);
    var table = Report.MemoryTable(memory);
    Console.WriteLine();
    Console.Write(table);
    Write("Peak memory", $"{Stamp()}; each variant alone in its own process, peak RSS = VmHWM, {machine}.\n\n{table}");
    return memory.All(m => m.DslPeakBytes is not null && m.TorchPeakBytes is not null) ? 0 : 1;
}

double? peak = options.Child ? null : Machine.MatmulPeakFlops();
if (peak is double p) Console.WriteLine($"{machine}; fp32 peak of a 1024^3 torch matmul: {p / 1e9:F1} GFLOP/s");
var results = new List<RowResult>();
bool failed = false;
foreach (var row in rows)
{
    try
    {
        var result = RowRunner.Run(row, options.Counts.Apply(row.Counts), options.Variant, channelsLast: !options.Nchw);
        results.Add(result);
        Console.WriteLine($"   {result.Flops / 1e9:F2} GFLOP per step ({result.DenseFlops / result.Flops:P0} in matmul/conv)" +
            string.Concat(result.Variants.Select(v => $"; {v.Name} {Report.Rate(v.StepsPerSecond)} steps/s, built in {v.ConstructionSeconds:F1} s")) +
            (result.Dsl is { } d && result.Torch is { } t ? $"; dsl/torch {Report.Ratio(d.StepsPerSecond, t.StepsPerSecond)}" : ""));
    }
    catch (Exception e) when (!options.Child)
    {
        Console.WriteLine($"   {row.Name} failed: {e}");
        failed = true;
    }
}

if (options.Child)
{
    Console.WriteLine(new ChildReport(Machine.PeakRssBytes(), results.Single().Variants.Single().StepsPerSecond).ToLine());
    return 0;
}
var steps = Report.StepTable(results, peak);
Console.WriteLine();
Console.Write(steps);
Write("Step time", $"{Stamp()}; {machine}; fp32 peak (1024^3 torch matmul) {peak / 1e9:F1} GFLOP/s; variants {options.Variant}.\n\n{steps}");
return failed ? 1 : 0;

string Stamp() => $"{DateTime.Now:yyyy-MM-dd HH:mm}, `StepBench {string.Join(' ', args)}`";

void Write(string section, string body)
{
    if (resultsPath is null) return;
    ResultsFile.WriteSection(resultsPath, section, body);
    Console.WriteLine($"results: {resultsPath} (section '{section}')");
}
