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
        var table = new MarkdownTable("step graph", "parameters (M)", "nodes built", "nodes after passes", "graph build + init s", "Trainer construction s", "compile s (difference)");
        foreach (var c in Cases())
        {
            Console.WriteLine($"== {c.Name}");
            GC.Collect();
            var watch = Stopwatch.StartNew();
            double planSeconds;
            using (new Trainer(new PlanBackend(), c.Task(), c.Options)) planSeconds = watch.Elapsed.TotalSeconds;
            GC.Collect();
            watch.Restart();
            using var trainer = new Trainer(new TorchBackend("cpu"), c.Task(), c.Options);
            double trainerSeconds = watch.Elapsed.TotalSeconds;
            double parameters = trainer.StepGraph.Parameters.Sum(p => (double)p.Shape.Numel) / 1e6;
            var row = new[]
            {
                c.Name, Report.F(parameters, "F1"), Report.I(trainer.StepGraph.Nodes.Count), Report.I(trainer.Compiled.Graph.Nodes.Count),
                Report.F(planSeconds, "F2"), Report.F(trainerSeconds, "F2"), Report.F(trainerSeconds - planSeconds, "F2"),
            };
            Console.WriteLine("   " + string.Join("  ", row.Skip(1)));
            table.Add(row);
        }
        return table.ToString();
    }
}
