using System.Diagnostics;
using Dsl.Backend.Torch;
using Dsl.Models.Blocks;
using Dsl.Models.Data;
using Dsl.Models.Tasks;
using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>Settings of <c>train-mlp</c>, as parsed from the command line.</summary>
sealed record TrainMlpSettings(
    int Epochs, int BatchSize, double LearningRate, int Hidden, string Optimizer, int Seed, string? Data,
    string Device, int? Limit, string Activation, string Schedule, int LogEvery);

/// <summary>
/// Trains the Fashion-MNIST MLP (the <see cref="Mlp"/> block, <see cref="SupervisedMlpTask"/>) with
/// the shared <see cref="Trainer"/>: one compiled step graph replayed every step on
/// <see cref="ShuffledBatches"/>, the full test set scored through an evaluation graph after every epoch.
/// </summary>
static class TrainMlp
{
    const int EvalBatch = 1000;

    public static int Run(TrainMlpSettings s)
    {
        Validate(s);
        var total = Stopwatch.StartNew();

        TorchBackend backend;
        try
        {
            backend = new TorchBackend(s.Device);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message, exitCode: 1);
        }

        var sw = Stopwatch.StartNew();
        var data = FashionMnist.Load(s.Data);
        var train = data.Train;
        int trainCount = s.Limit is int limit ? Math.Min(limit, train.Count) : train.Count;
        if (trainCount < s.BatchSize)
            throw new CliException($"--limit {trainCount} leaves fewer training images than one batch (--batch-size {s.BatchSize}).");
        AnsiConsole.MarkupLineInterpolated($"[grey]Fashion-MNIST from {data.Directory}: {train.Count} train, {data.Test.Count} test images of {train.Height}x{train.Width} (loaded in {sw.Elapsed.TotalSeconds:F1} s)[/]");

        var task = new SupervisedMlpTask(train.ImageSize, s.Hidden, FashionMnist.ClassCount, s.Activation == "relu" ? Activation.Relu : Activation.Gelu);
        Optimizer optimizer = s.Optimizer == "sgd" ? new Sgd(Momentum: 0.9) : new AdamW();
        string optimizerText = optimizer switch
        {
            Sgd o => $"SGD (momentum {o.Momentum}, weight decay {o.WeightDecay})",
            AdamW o => $"AdamW (betas {o.Beta1}/{o.Beta2}, eps {o.Eps:G1}, weight decay {o.WeightDecay})",
            _ => optimizer.GetType().Name,
        };
        var batches = new ShuffledBatches(train, s.BatchSize, s.Seed, trainCount);
        int stepsPerEpoch = batches.StepsPerEpoch;
        long totalSteps = (long)stepsPerEpoch * s.Epochs;
        LearningRateSchedule schedule = s.Schedule == "cosine" ? new WarmupCosineSchedule(s.LearningRate, 0, totalSteps) : new ConstantSchedule(s.LearningRate);

        sw.Restart();
        using var trainer = new Trainer(backend, task, new TrainerOptions(s.BatchSize, optimizer, schedule, Seed: s.Seed));
        long parameterCount = trainer.StepGraph.Parameters.Sum(p => p.Shape.Numel);
        AnsiConsole.MarkupLineInterpolated(
            $"MLP {task.Inputs}-{task.Hidden}-{task.Classes} ({s.Activation}, {parameterCount:N0} parameters), {optimizerText}, lr {s.LearningRate:G3} ({s.Schedule}), batch {s.BatchSize}, seed {s.Seed}, {backend.Name}");
        AnsiConsole.MarkupLineInterpolated(
            $"[grey]Step graph: {trainer.StepGraph.Nodes.Count} nodes, {trainer.Compiled.Graph.Nodes.Count} after passes, {trainer.StepGraph.Persistent.Count()} persistent values; compiled in {sw.Elapsed.TotalMilliseconds:F0} ms. {s.Epochs} epochs x {stepsPerEpoch} steps on {trainCount} images ({trainCount - stepsPerEpoch * s.BatchSize} left out per epoch).[/]");

        var stepMs = new List<double>((int)totalSteps);
        double lastLoss = double.NaN;
        for (int epoch = 1; epoch <= s.Epochs; epoch++)
        {
            double windowLoss = 0, windowAcc = 0, windowMs = 0, epochLoss = 0, epochAcc = 0;
            int windowSteps = 0, k = 0;
            var epochClock = Stopwatch.StartNew();
            var clock = Stopwatch.StartNew();
            void OnStep(StepResult r)
            {
                double ms = clock.Elapsed.TotalMilliseconds;   // batch assembly + graph run
                stepMs.Add(ms);
                double acc = r.Metrics["accuracy"];
                lastLoss = r.Loss;
                (windowLoss, windowAcc, windowMs, windowSteps) = (windowLoss + r.Loss, windowAcc + acc, windowMs + ms, windowSteps + 1);
                (epochLoss, epochAcc) = (epochLoss + r.Loss, epochAcc + acc);
                if (++k % s.LogEvery == 0 || k == stepsPerEpoch)
                {
                    double mean = windowMs / windowSteps;
                    AnsiConsole.MarkupLineInterpolated(
                        $"epoch {epoch}/{s.Epochs} step {k,4}/{stepsPerEpoch}  loss [yellow]{windowLoss / windowSteps:F4}[/]  acc {windowAcc / windowSteps:P1}  step {mean,6:F2} ms  {s.BatchSize * 1000 / mean,7:F0} img/s");
                    (windowLoss, windowAcc, windowMs, windowSteps) = (0, 0, 0, 0);
                }
                clock.Restart();
            }
            try
            {
                trainer.Fit(batches, epoch * (long)stepsPerEpoch, OnStep);
            }
            catch (NonFiniteException e)
            {
                throw new CliException($"{e.Message} Training diverged at epoch {epoch}: lower --lr (now {s.LearningRate:G3}).", exitCode: 1);
            }
            double trainSeconds = epochClock.Elapsed.TotalSeconds;

            sw.Restart();
            double testAcc = task.TestAccuracy(backend, trainer.ModelValues(), data.Test, EvalBatch);
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]epoch {epoch} done[/] in {trainSeconds:F1} s: train loss {epochLoss / stepsPerEpoch:F4}, train acc {epochAcc / stepsPerEpoch:P1} | [bold green]test acc {testAcc:P2}[/] (eval {sw.Elapsed.TotalSeconds:F1} s)");
        }

        var steady = stepMs.Count > 1 ? stepMs.Skip(1).ToList() : stepMs;
        steady.Sort();
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]mean step time {steady.Average():F2} ms[/] (batch assembly + graph run; median {steady[steady.Count / 2]:F2} ms over {steady.Count} steps after the first; first step {stepMs[0]:F1} ms), final batch loss {lastLoss:F4}, total {total.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    static void Validate(TrainMlpSettings s)
    {
        if (s.Epochs < 1) throw new CliException($"--epochs must be at least 1, got {s.Epochs}.");
        if (s.BatchSize < 1) throw new CliException($"--batch-size must be at least 1, got {s.BatchSize}.");
        if (!(s.LearningRate > 0) || !double.IsFinite(s.LearningRate)) throw new CliException($"--lr must be a positive number, got {s.LearningRate}.");
        if (s.Hidden < 1) throw new CliException($"--hidden must be at least 1, got {s.Hidden}.");
        if (s.Limit is < 1) throw new CliException($"--limit must be at least 1, got {s.Limit}.");
        if (s.LogEvery < 1) throw new CliException($"--log-every must be at least 1, got {s.LogEvery}.");
    }
}
