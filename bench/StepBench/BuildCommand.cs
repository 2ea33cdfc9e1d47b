using System.Diagnostics;
using Dsl.Backend.Torch;
using Dsl.Bench.Measure;
using Dsl.Models.Methods;
using Dsl.Models.Training;

namespace Dsl.Bench;

/// <summary>
/// <c>build</c>: how long the Trainer takes to build and compile a step graph, and how big the graph
/// is, for ViT-B/16 classifiers of depth 6, 12 and 24 and the Barlow Twins ResNet-18/34 step.
/// Models has no bottleneck ResNet, so there is no ResNet-50 row.
/// </summary>
static class BuildCommand
{
    sealed record Case(string Name, Func<ITrainingTask> Task, TrainerOptions Options);

    static readonly TrainerOptions VitOptions = new(8, new AdamW(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm }, new ConstantSchedule(1e-3), ClipNorm: 5.0);
    static readonly TrainerOptions ResNetOptions = VitOptions with { BatchSize = 64 };

    static IEnumerable<Case> Cases()
    {
        foreach (int depth in new[] { 6, 12, 24 })
            yield return new($"vit-b16 depth {depth} (classifier, batch 8)",
                () => new ClassificationTask(new MaeMethod(MaeConfig.VitBase16 with { EncoderDepth = depth }, readout: MaeReadout.Cls), 3, 224, 1000), VitOptions);
        yield return new("resnet18 (Barlow Twins, batch 64)", () => new BarlowTwinsMethod(Backbone.ResNet18(3), 3, 32, 2048, onlineProbeClasses: 10).Task, ResNetOptions);
        yield return new("resnet34 (Barlow Twins, batch 64)", () => new BarlowTwinsMethod(Backbone.ResNet34(3), 3, 32, 2048, onlineProbeClasses: 10).Task, ResNetOptions);
    }

    public static string Run()
    {
        var table = new MarkdownTable("step graph", "parameters (M)", "nodes built", "nodes after passes", "graph build + init s", "compile s", "Trainer construction s");
        Measure(Cases().First()); // untimed: JIT-compiles the code paths once
        foreach (var c in Cases())
        {
            Console.WriteLine($"== {c.Name}");
            var m = Measure(c);
            var row = new[]
            {
                c.Name, Report.F(m.Parameters / 1e6, "F1"), Report.I(m.Nodes), Report.I(m.NodesAfterPasses),
                Report.F(m.PlanSeconds, "F2"), Report.F(m.CompileSeconds, "F2"), Report.F(m.TrainerSeconds, "F2"),
            };
            Console.WriteLine("   " + string.Join("  ", row.Skip(1)));
            table.Add(row);
        }
        return table.ToString();
    }

    sealed record Measurement(double Parameters, int Nodes, int NodesAfterPasses, double PlanSeconds, double CompileSeconds, double TrainerSeconds);

    /// <summary>
    /// The step graph built with its initial values (a Trainer on <see cref="PlanBackend"/>), that
    /// graph compiled alone by Backend.Torch (passes + plan), and a whole Trainer construction
    /// (build, compile, initial values copied in).
    /// </summary>
    static Measurement Measure(Case c)
    {
        GC.Collect();
        var watch = Stopwatch.StartNew();
        Graph graph;
        using (var plan = new Trainer(new PlanBackend(), c.Task(), c.Options)) graph = plan.StepGraph;
        double planSeconds = watch.Elapsed.TotalSeconds;
        GC.Collect();
        watch.Restart();
        int afterPasses;
        using (var compiled = new TorchBackend("cpu").Compile(graph)) afterPasses = compiled.Graph.Nodes.Count;
        double compileSeconds = watch.Elapsed.TotalSeconds;
        GC.Collect();
        watch.Restart();
        using var trainer = new Trainer(new TorchBackend("cpu"), c.Task(), c.Options);
        double trainerSeconds = watch.Elapsed.TotalSeconds;
        return new Measurement(graph.Parameters.Sum(p => (double)p.Shape.Numel), graph.Nodes.Count, afterPasses, planSeconds, compileSeconds, trainerSeconds);
    }
}
