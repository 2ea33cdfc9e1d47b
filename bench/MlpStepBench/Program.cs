using System.Diagnostics;
using System.Globalization;
using Dsl;
using Dsl.Backend.Torch;
using Dsl.Models;
using Dsl.Models.Training;
using TorchSharp;
using static TorchSharp.torch;
using TT = TorchSharp.torch.Tensor;

// Steps/s of one MLP training step (forward, backward, AdamW) on CPU, in one process:
//   dsl   - the DSL step graph (Mlp.BuildTrainStep) compiled by Backend.Torch and replayed;
//   torch - the same network written by hand with TorchSharp autograd and torch.optim.AdamW.
// Both start from the same parameters, see the same fixed batch every step, copy the batch from
// host arrays every step and read loss and accuracy back to the host every step.
//
// usage: MlpStepBench [--steps N per round] [--rounds R] [--warmup N] [--batch B] [--hidden H]
//                     [--variant both|dsl|torch] [--threads T] [--optimizer adamw|sgd]

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var opts = Options.Parse(args);
TorchRuntime.EnsureInitialized();
if (opts.Threads > 0) torch.set_num_threads(opts.Threads);

var mlp = new Mlp(opts.Hidden);
var init = mlp.InitialParameters(seed: 0);
var (x, y) = Batch(opts.Batch, mlp.Inputs, mlp.Classes, seed: 1);
double Lr = opts.Optimizer == "sgd" ? 0.05 : 1e-3;
// adamw: betas 0.9/0.999, eps 1e-8, weight decay 0.01 = torch.optim.AdamW's defaults;
// sgd: plain SGD (no momentum, no weight decay), to see forward + backward with a minimal update.
Optimizer dslOptimizer = opts.Optimizer == "sgd" ? new Sgd(Momentum: 0) : new AdamW();

Console.WriteLine($"MLP {mlp.Inputs}-{mlp.Hidden}-{mlp.Classes} (GELU), batch {opts.Batch}, {(opts.Optimizer == "sgd" ? "SGD" : "AdamW")} lr {Lr}, " +
                  $"{opts.Warmup} warmup + {opts.Rounds} rounds x {opts.Steps} timed steps, torch threads {torch.get_num_threads()}, {Environment.ProcessorCount} cores");

// Same first steps from the same start: the two implementations must agree.
{
    using var dsl = new DslStep(mlp, dslOptimizer, init, opts.Batch);
    using var tch = new TorchStep(mlp, init, Lr, opts.Optimizer);
    var a = Enumerable.Range(0, 5).Select(_ => dsl.Run(x, y, Lr).Loss).ToArray();
    var b = Enumerable.Range(0, 5).Select(_ => tch.Run(x, y).Loss).ToArray();
    double diff = a.Zip(b, (p, q) => Math.Abs(p - q)).Max();
    Console.WriteLine($"check: losses of the first 5 steps  dsl [{string.Join(", ", a.Select(v => v.ToString("F5")))}]");
    Console.WriteLine($"                                    torch [{string.Join(", ", b.Select(v => v.ToString("F5")))}]  max |diff| {diff:E2}");
}

var variants = new List<Variant>();
if (opts.Variant is "both" or "dsl")
    variants.Add(Variant.Create("dsl (graph)", opts.Warmup, () =>
    {
        var s = new DslStep(mlp, dslOptimizer, init, opts.Batch);
        return (() => s.Run(x, y, Lr).Loss, s);
    }));
if (opts.Variant is "both" or "torch")
    variants.Add(Variant.Create("torch autograd", opts.Warmup, () =>
    {
        var s = new TorchStep(mlp, init, Lr, opts.Optimizer);
        return (() => s.Run(x, y).Loss, s);
    }));

// Rounds alternate between the variants so drifts of the machine hit both alike.
for (int round = 1; round <= opts.Rounds; round++)
    Console.WriteLine($"round {round}: " + string.Join("   ", variants.Select(v => $"{v.Name} {v.TimeRound(opts.Steps):F1} steps/s")));

Console.WriteLine();
Console.WriteLine($"{"variant",-16} {"steps/s",9} {"mean ms",8} {"median",8} {"p90",8} {"managed KB/step",15} {"RSS growth MB",13} {"final loss",10}");
foreach (var v in variants)
    Console.WriteLine($"{v.Name,-16} {v.MedianStepsPerSecond,9:F1} {v.MeanMs,8:F3} {v.MedianMs,8:F3} {v.P90Ms,8:F3} {v.ManagedBytesPerStep / 1024.0,15:F1} {v.RssGrowthMb,13:F1} {v.LastLoss,10:F4}");
Console.WriteLine("steps/s: median over rounds; ms: over all timed steps; RSS growth: working set after construction and warmup minus before (native libtorch memory included).");
if (variants.Count == 2)
    Console.WriteLine($"ratio dsl/torch steps/s: {variants[0].MedianStepsPerSecond / variants[1].MedianStepsPerSecond:F3} (>1: the DSL graph is faster)");
using (var p = Process.GetCurrentProcess())
    Console.WriteLine($"process peak working set {p.PeakWorkingSet64 / (1024.0 * 1024):F0} MB (process-wide: covers every variant run above; use --variant for one alone)");
foreach (var v in variants) v.Dispose();
return 0;

static (float[] X, long[] Y) Batch(int batch, int inputs, int classes, int seed)
{
    var rng = new Random(seed);
    var x = new float[batch * inputs];
    for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
    var y = new long[batch];
    for (int i = 0; i < y.Length; i++) y[i] = rng.Next(classes);
    return (x, y);
}

sealed record Options(int Steps, int Warmup, int Batch, int Hidden, string Variant, int Threads, int Rounds, string Optimizer)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(200, 100, 128, 256, "both", 0, 5, "adamw");
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--steps" => o with { Steps = int.Parse(Next()) },
                "--warmup" => o with { Warmup = int.Parse(Next()) },
                "--batch" => o with { Batch = int.Parse(Next()) },
                "--hidden" => o with { Hidden = int.Parse(Next()) },
                "--variant" => o with { Variant = Next() },
                "--threads" => o with { Threads = int.Parse(Next()) },
                "--rounds" => o with { Rounds = int.Parse(Next()) },
                "--optimizer" => o with { Optimizer = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]}; options: --steps --warmup --rounds --batch --hidden --variant both|dsl|torch --threads --optimizer adamw|sgd"),
            };
        }
        if (o.Variant is not ("both" or "dsl" or "torch")) throw new ArgumentException("--variant must be both, dsl or torch");
        if (o.Optimizer is not ("adamw" or "sgd")) throw new ArgumentException("--optimizer must be adamw or sgd");
        return o;
    }
}

/// <summary>The DSL step graph, compiled once.</summary>
sealed class DslStep : IDisposable
{
    readonly ICompiledGraph compiled;
    readonly int batch, inputs;

    public DslStep(Mlp mlp, Optimizer optimizer, IReadOnlyDictionary<string, HostTensor> init, int batch)
    {
        compiled = new TorchBackend("cpu").Compile(mlp.BuildTrainStep(batch, optimizer));
        ParameterTransfer.Load(compiled, init);
        (this.batch, inputs) = (batch, mlp.Inputs);
    }

    public (double Loss, double Accuracy) Run(float[] x, long[] y, double lr)
    {
        var outputs = compiled.Run(new Dictionary<string, HostTensor>
        {
            [Mlp.ImagesInput] = HostTensor.F32(new Shape(batch, inputs), x),
            [Mlp.LabelsInput] = HostTensor.I64(new Shape(batch), y),
            [Optimizer.LearningRateInput] = HostTensor.F32(Shape.Scalar, [(float)lr]),
        });
        return (outputs[Mlp.LossOutput].ToScalar(), outputs[Mlp.AccuracyOutput].ToScalar());
    }

    public void Dispose() => compiled.Dispose();
}

/// <summary>The same MLP by hand: TorchSharp autograd and torch.optim.AdamW (or SGD).</summary>
sealed class TorchStep : IDisposable
{
    readonly TorchSharp.Modules.Parameter w1, b1, w2, b2;
    readonly torch.optim.Optimizer optimizer;
    readonly long[] xShape, yShape;

    public TorchStep(Mlp mlp, IReadOnlyDictionary<string, HostTensor> init, double lr, string optimizerName)
    {
        TorchSharp.Modules.Parameter P(string name) =>
            new(torch.tensor((float[])init[name].Data, init[name].Shape.ToLongArray()), requires_grad: true);
        (w1, b1, w2, b2) = (P("fc1.weight"), P("fc1.bias"), P("fc2.weight"), P("fc2.bias"));
        optimizer = optimizerName == "sgd"
            ? torch.optim.SGD([w1, b1, w2, b2], lr)
            : torch.optim.AdamW([w1, b1, w2, b2], lr, 0.9, 0.999, 1e-8, 0.01);
        (xShape, yShape) = ([0, mlp.Inputs], [0]);
    }

    public (double Loss, double Accuracy) Run(float[] x, long[] y)
    {
        using var scope = torch.NewDisposeScope();
        var xt = torch.tensor(x, [y.Length, xShape[1]]);
        var yt = torch.tensor(y, [y.Length]);
        var h = nn.functional.gelu(nn.functional.linear(xt, w1, b1));
        var logits = nn.functional.linear(h, w2, b2);
        var loss = nn.functional.cross_entropy(logits, yt);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        using var noGrad = torch.no_grad();
        TT acc = logits.argmax(1).eq(yt).to_type(ScalarType.Float32).mean();
        return (loss.item<float>(), acc.item<float>());
    }

    public void Dispose()
    {
        optimizer.Dispose();
        foreach (var p in new[] { w1, b1, w2, b2 }) p.Dispose();
    }
}
