using System.Globalization;
using Dsl.Backend.Torch;
using Dsl.Models.Training;

namespace WritingModels.Training;

/// <summary>The loop every sample shares: the Trainer on Backend.Torch (CPU), AdamW, printing the loss.</summary>
public static class SampleTraining
{
    /// <summary>Trains <paramref name="task"/> for <paramref name="steps"/> steps of <paramref name="batches"/>; returns each step's loss.</summary>
    public static IReadOnlyList<double> Fit(ITrainingTask task, IBatchSource batches, int steps, int batchSize, double learningRate, Action<Trainer>? after = null)
    {
        using var trainer = new Trainer(new TorchBackend(), task, new TrainerOptions(batchSize, new AdamW(), new ConstantSchedule(learningRate), ClipNorm: 1.0, Seed: 1));
        var losses = new List<double>();
        trainer.Fit(batches, steps, r =>
        {
            losses.Add(r.Loss);
            if (r.Step % 10 == 0 || r.Step == steps - 1)
            {
                var metrics = string.Concat(r.Metrics.Select(m => FormattableString.Invariant($"  {m.Key} {m.Value:F3}")));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {r.Step,4}  loss {r.Loss:F4}{metrics}"));
            }
        });
        after?.Invoke(trainer);
        return losses;
    }
}
