using System.Diagnostics;
using System.Globalization;
using Dsl;
using Dsl.Backend.Torch;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using TorchSharp;
using static TorchSharp.torch;
using TT = TorchSharp.torch.Tensor;

// Steps/s of one SimCLR training step on CPU (the default 'train --method simclr' network: the
// Keras conv encoder of width W, projection head W-W-W, NT-Xent at temperature 0.2, two views of
// B 28x28 images, AdamW), in one process:
//   dsl   - the shared Trainer's step graph (generated Backward per view, AdamW as graph ops);
//   torch - the same network by hand with TorchSharp autograd and torch.optim.AdamW.
// Both start from the same parameters and see the same fixed views; both copy the views from host
// arrays and read the loss back every step.
//
// usage: SslStepBench [--steps N] [--rounds R] [--warmup N] [--batch B] [--width W] [--variant both|dsl|torch] [--threads T]

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int steps = 30, rounds = 5, warmup = 10, batch = 128, width = 64, threads = 0;
string variant = "both";
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--steps": steps = int.Parse(Next()); break;
        case "--rounds": rounds = int.Parse(Next()); break;
        case "--warmup": warmup = int.Parse(Next()); break;
        case "--batch": batch = int.Parse(Next()); break;
        case "--width": width = int.Parse(Next()); break;
        case "--threads": threads = int.Parse(Next()); break;
        case "--variant": variant = Next(); break;
        default: throw new ArgumentException($"unknown option {args[i]}; options: --steps --rounds --warmup --batch --width --variant both|dsl|torch --threads");
    }
}
if (variant is not ("both" or "dsl" or "torch")) throw new ArgumentException("--variant must be both, dsl or torch");
TorchRuntime.EnsureInitialized();
if (threads > 0) torch.set_num_threads(threads);
const double Lr = 2e-3, Temperature = 0.2;

var task = new SimClrTask(Backbone.Conv(1, width), 1, 28, width, Temperature);
var options = new TrainerOptions(batch, new AdamW(WeightDecay: 0), new ConstantSchedule(Lr), ClipNorm: null, Seed: 0);
var rng = new Random(1);
float[] View() { var v = new float[batch * 28 * 28]; for (int i = 0; i < v.Length; i++) v[i] = rng.NextSingle(); return v; }
var (view1, view2) = (View(), View());
var viewShape = new Shape(batch, 1, 28, 28);
var views = new Dictionary<string, HostTensor> { ["view1"] = HostTensor.F32(viewShape, view1), ["view2"] = HostTensor.F32(viewShape, view2) };
Dictionary<string, HostTensor> init;
using (var probe = new Trainer(new TorchBackend("cpu"), task, options)) init = probe.ModelValues();

Console.WriteLine($"SimCLR step: conv-{width} encoder, head {width}-{width}-{width}, NT-Xent T={Temperature}, 2 x {batch} views 28x28, AdamW lr {Lr}, " +
                  $"{warmup} warmup + {rounds} rounds x {steps} timed steps, torch threads {torch.get_num_threads()}, {Environment.ProcessorCount} cores");
{
    using var dsl = new Trainer(new TorchBackend("cpu"), task, options);
    using var tch = new TorchSimClr(init, width, Lr, Temperature);
    var a = Enumerable.Range(0, 5).Select(_ => dsl.RunStep(views).Loss).ToArray();
    var b = Enumerable.Range(0, 5).Select(_ => tch.Run(view1, view2, batch)).ToArray();
    Console.WriteLine($"check: losses of the first 5 steps  dsl [{string.Join(", ", a.Select(v => v.ToString("F5")))}]");
    Console.WriteLine($"                                    torch [{string.Join(", ", b.Select(v => v.ToString("F5")))}]  max |diff| {a.Zip(b, (p, q) => Math.Abs(p - q)).Max():E2}");
}

var variants = new List<Variant>();
if (variant is "both" or "dsl")
    variants.Add(Variant.Create("dsl (trainer)", warmup, () =>
    {
        var t = new Trainer(new TorchBackend("cpu"), task, options);
        return (() => t.RunStep(views).Loss, t);
    }));
if (variant is "both" or "torch")
    variants.Add(Variant.Create("torch autograd", warmup, () =>
    {
        var t = new TorchSimClr(init, width, Lr, Temperature);
        return (() => t.Run(view1, view2, batch), t);
    }));
for (int round = 1; round <= rounds; round++)
    Console.WriteLine($"round {round}: " + string.Join("   ", variants.Select(v => $"{v.Name} {v.TimeRound(steps):F2} steps/s")));

Console.WriteLine();
Console.WriteLine($"{"variant",-16} {"steps/s",9} {"img/s",8} {"mean ms",8} {"median",8} {"p90",8} {"managed KB/step",15} {"RSS growth MB",13} {"final loss",10}");
foreach (var v in variants)
    Console.WriteLine($"{v.Name,-16} {v.MedianStepsPerSecond,9:F2} {v.MedianStepsPerSecond * batch,8:F0} {v.MeanMs,8:F1} {v.MedianMs,8:F1} {v.P90Ms,8:F1} {v.ManagedBytesPerStep / 1024.0,15:F1} {v.RssGrowthMb,13:F1} {v.LastLoss,10:F4}");
if (variants.Count == 2)
    Console.WriteLine($"ratio dsl/torch steps/s: {variants[0].MedianStepsPerSecond / variants[1].MedianStepsPerSecond:F3} (>1: the DSL step is faster)");
using (var p = Process.GetCurrentProcess())
    Console.WriteLine($"process peak working set {p.PeakWorkingSet64 / (1024.0 * 1024):F0} MB (process-wide; use --variant for one alone)");
foreach (var v in variants) v.Dispose();
return 0;

/// <summary>The same SimCLR step by hand: TorchSharp autograd and torch.optim.AdamW.</summary>
sealed class TorchSimClr : IDisposable
{
    readonly List<TorchSharp.Modules.Parameter> parameters = [];
    readonly TorchSharp.Modules.Parameter[] convWeights, convBiases;
    readonly TorchSharp.Modules.Parameter fc1w, fc1b, fc2w, fc2b;
    readonly torch.optim.Optimizer optimizer;
    readonly double temperature;

    public TorchSimClr(IReadOnlyDictionary<string, HostTensor> init, int width, double lr, double temperature)
    {
        TorchSharp.Modules.Parameter P(string name)
        {
            if (!init.TryGetValue(name, out var value))
                throw new KeyNotFoundException($"No initial value '{name}'; the trainer holds: {string.Join(", ", init.Keys.Where(k => !k.StartsWith("optim")))}");
            var p = new TorchSharp.Modules.Parameter(torch.tensor((float[])value.Data, value.Shape.ToLongArray()), requires_grad: true);
            parameters.Add(p);
            return p;
        }
        convWeights = [.. Enumerable.Range(0, 4).Select(i => P($"encoder.convs.{i}.weight"))];
        convBiases = [.. Enumerable.Range(0, 4).Select(i => P($"encoder.convs.{i}.bias"))];
        (fc1w, fc1b, fc2w, fc2b) = (P("projector.fc1.weight"), P("projector.fc1.bias"), P("projector.fc2.weight"), P("projector.fc2.bias"));
        optimizer = torch.optim.AdamW(parameters, lr, 0.9, 0.999, 1e-8, 0);
        this.temperature = temperature;
    }

    TT Project(TT x)
    {
        for (int i = 0; i < 4; i++) x = nn.functional.relu(nn.functional.conv2d(x, convWeights[i], convBiases[i], strides: [2, 2], padding: [1, 1]));
        var h = x.mean([2, 3]);
        return nn.functional.linear(nn.functional.relu(nn.functional.linear(h, fc1w, fc1b)), fc2w, fc2b);
    }

    public double Run(float[] view1, float[] view2, int batch)
    {
        using var scope = torch.NewDisposeScope();
        var z = nn.functional.normalize(torch.cat([Project(torch.tensor(view1, [batch, 1, 28, 28])), Project(torch.tensor(view2, [batch, 1, 28, 28]))], 0), p: 2, dim: 1);
        int m = 2 * batch;
        var similarity = z.matmul(z.t()) / temperature - torch.eye(m) * 1e9;
        var labels = (torch.arange(m, ScalarType.Int64) + batch) % m;
        var loss = nn.functional.cross_entropy(similarity, labels);
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }

    public void Dispose()
    {
        optimizer.Dispose();
        foreach (var p in parameters) p.Dispose();
    }
}
