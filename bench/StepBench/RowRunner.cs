using System.Globalization;
using Dsl.Backend.Torch;
using Dsl.Bench.Measure;
using Dsl.Bench.Rows;
using Dsl.Models.Training;

namespace Dsl.Bench;

/// <summary>What one variant of a row measured.</summary>
sealed record VariantResult(string Name, double StepsPerSecond, double MedianMs, double ManagedBytesPerStep, double ConstructionSeconds, double[] CheckLosses);

/// <summary>Largest |dsl − torch| over the check losses, and at the first step (the forward alone: no update yet).</summary>
sealed record LossCheck(double MaxDiff, double FirstDiff);

/// <summary>What one row measured: FLOPs of its step graph, the loss check and each variant.</summary>
sealed record RowResult(Row Row, StepCounts Counts, double Flops, double DenseFlops, LossCheck? Check, IReadOnlyList<VariantResult> Variants)
{
    public VariantResult? Dsl => Variants.FirstOrDefault(v => v.Name == "dsl");
    public VariantResult? Torch => Variants.FirstOrDefault(v => v.Name == "torch");
}

/// <summary>
/// Runs one row in this process: builds the variants (the DSL trainer on <c>TorchBackend("cpu")</c>,
/// the TorchSharp reference from the same initial values), runs the check steps of both and prints
/// their losses side by side, then warmup, then timed rounds that alternate between the variants so
/// that drifts of the machine hit both alike.
/// </summary>
static class RowRunner
{
    public static RowResult Run(Row row, StepCounts counts, string which, bool channelsLast = true)
    {
        Console.WriteLine($"== {row.Name}: {row.Network}, batch {row.Images}");
        Console.WriteLine($"   {counts.Check} check + {counts.Warmup} warmup + {counts.Rounds} rounds x {counts.Steps} timed steps per variant");
        var batch = row.Batch();
        Graph? stepGraph = null;
        var variants = new List<Variant>();
        try
        {
            if (which is "both" or "dsl")
                variants.Add(Variant.Create("dsl", () =>
                {
                    var trainer = new Trainer(new TorchBackend("cpu") { ChannelsLast = channelsLast }, row.Task(), row.Options);
                    stepGraph = trainer.StepGraph;
                    return (() => trainer.RunStep(batch).Loss, trainer);
                }));
            if (which is "both" or "torch")
                variants.Add(Variant.Create("torch", () =>
                {
                    // The plan is the trainer's own graph and initial values, built without compiling.
                    var setup = PlanBackend.Plan(row);
                    stepGraph ??= setup.StepGraph;
                    var reference = row.Reference(setup);
                    return (() => reference.Run(batch), reference);
                }));

            foreach (var v in variants) v.Check(counts.Check);
            foreach (var v in variants)
                Console.WriteLine($"   check {v.Name,-5} losses [{string.Join(", ", v.CheckLosses.Select(l => l.ToString("F5", CultureInfo.InvariantCulture)))}]");
            var diffs = variants.Count == 2 ? variants[0].CheckLosses.Zip(variants[1].CheckLosses, (a, b) => Math.Abs(a - b)).ToArray() : [];
            var check = diffs.Length == 0 ? null : new LossCheck(diffs.Max(), diffs[0]);
            if (check is not null) Console.WriteLine($"   check max |diff| {check.MaxDiff:E2} (first step, before any update: {check.FirstDiff:E2})");

            foreach (var v in variants) v.Warmup(counts.Warmup);
            for (int round = 1; round <= counts.Rounds && counts.Steps > 0; round++)
                Console.WriteLine($"   round {round}: " + string.Join("   ", variants.Select(v => $"{v.Name} {Report.Rate(v.TimeRound(counts.Steps))} steps/s")));

            var (flops, dense) = FlopCount.Of(stepGraph!);
            return new RowResult(row, counts, flops, dense, check,
                [.. variants.Select(v => new VariantResult(v.Name, v.MedianStepsPerSecond, v.MedianMs, v.ManagedBytesPerStep, v.ConstructionSeconds, v.CheckLosses))]);
        }
        finally
        {
            foreach (var v in variants) v.Dispose();
        }
    }
}
