using System.Diagnostics;
using Dsl.Models.Data;
using Dsl.Models.Evaluation;
using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// Self-supervised pretraining (MAE, SimCLR or Barlow Twins) through the shared <see cref="Trainer"/>, then the honest comparison:
/// linear probe and kNN on the pretrained encoder, on the same encoder at random init, and on raw pixels. The run writes
/// checkpoints periodically into its own folder (<see cref="RunFolder"/>), holds a lock on it, stops cleanly on Ctrl-C or
/// SIGTERM, and resumes bit for bit (<c>--resume</c>). With <c>--finetune-epochs</c>, the evaluation ends with the
/// fine-tune comparison (<see cref="TrainFinetune"/>); the figures go to the run folder's <see cref="TrainEvaluation.FileName"/>.
/// </summary>
static class TrainSsl
{
    /// <summary>How a run ended: its exit code, its folder, and what the evaluation measured (null when it did not run).</summary>
    public sealed record Outcome(int ExitCode, string Folder, TrainEvaluation? Evaluation);

    /// <summary>The <c>train</c> command: <see cref="Train"/>'s exit code.</summary>
    public static int Run(TrainSslSettings s, IReadOnlyList<string> args) => Train(s, args).ExitCode;

    /// <summary>Pretrains, evaluates and (with <c>--finetune-epochs</c>) fine-tunes; <paramref name="args"/> are the command line, for the resume hint.</summary>
    public static Outcome Train(TrainSslSettings s, IReadOnlyList<string> args)
    {
        var total = Stopwatch.StartNew();
        TrainSslValidation.CheckSettings(s);
        var backend = CliBackend.Create(s.Device);
        string output = TrainOutput.Folder(s);
        using var runLock = TrainOutput.Lock(output, s);
        var data = s.LoadData(limit: s.Limit);
        TrainSslValidation.CheckAgainstData(s, data);
        var train = data.Pretrain;
        var method = s.CreateMethod(data);
        var task = method.Task;
        var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = s.BatchSize, Seed = s.Seed, DropLast = true }, [.. method.Views]);
        long steps = (long)s.Epochs * loader.BatchCount;
        var options = new TrainerOptions(s.BatchSize, new AdamW(WeightDecay: s.WeightDecay) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
            new WarmupCosineSchedule(s.LearningRate, Math.Min(steps / 10, 200), steps), ClipNorm: 5.0, Seed: s.Seed, NonFinite: TrainOutput.Policy(s.OnNonFinite));
        using var trainer = new Trainer(backend, task, options);
        var randomInit = trainer.ModelValues();
        var checkpoints = new CheckpointFolder(output, task.Name, s.Keep);
        string? resumedFrom = TrainOutput.Resume(s, trainer, checkpoints);
        long startStep = trainer.Step;
        AnsiConsole.MarkupLineInterpolated($"{method.Title} on {data.Title}: {train.Count} images, {s.Epochs} epochs x {loader.BatchCount} steps, batch {s.BatchSize}, {method.Describe()}, lr {s.LearningRate:G3}, {backend.Name}; run folder {output}");

        var sw = Stopwatch.StartNew();
        bool probe = method.NeedsLabels;
        using var log = new RunLog(output, $"{task.Name}_loss", probe ? ["step", "loss", "lr", "probe_accuracy"] : ["step", "loss", "lr"], fromStep: trainer.Step);
        var run = new CheckpointedRun(trainer, checkpoints, SaveSchedule.Parse(s.SaveEvery, loader.BatchCount),
            new Dictionary<string, string> { [TrainSslSettings.MetadataKey] = s.ToJson() })
        { LastCheckpoint = resumedFrom };
        run.Saved += _ =>
        {
            log.Commit();
            if (s.Out is null && s.Resume is null) RunFolder.MarkLatest(output);   // once it holds a checkpoint
        };
        run.RolledBack += (e, path) =>
        {
            log.RewindTo(trainer.Step);
            AnsiConsole.MarkupLineInterpolated($"[yellow]{e.Message} Rolled back to {path} (step {trainer.Step}); learning rate now x{trainer.LearningRateScale:G3}.[/]");
        };
        var memory = MemorySampler.FromEnvironment();
        double window = 0, windowAccuracy = 0;
        int windowCount = 0;
        void OnStep(StepResult r)
        {
            memory?.Sample(r.Step);
            if (r.Skipped)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]Step {r.Step}: skipped (a non-finite output at learning rate {r.LearningRate:G3}); {trainer.SkippedSteps} skipped so far.[/]");
                return;
            }
            if (probe) log.Write(r.Step, r.Loss, r.LearningRate, r.Metrics["probe_accuracy"]);
            else log.Write(r.Step, r.Loss, r.LearningRate);
            window += r.Loss;
            windowAccuracy += probe ? r.Metrics["probe_accuracy"] : 0;
            windowCount++;
            if (r.Step % 20 == 19 || r.Step == steps - 1)
            {
                double perStep = sw.Elapsed.TotalSeconds / Math.Max(1, r.Step + 1 - startStep);
                string online = probe ? $"  online probe {windowAccuracy / windowCount,6:P1}" : "";
                AnsiConsole.MarkupLineInterpolated($"step {r.Step + 1,5}/{steps}  loss {window / windowCount:F4}{online}  lr {r.LearningRate:G3}  {s.BatchSize / perStep,7:F0} img/s  ETA {TimeSpan.FromSeconds(perStep * (steps - r.Step - 1)):mm\\:ss}");
                window = windowAccuracy = 0;
                windowCount = 0;
            }
        }
        RunOutcome outcome;
        using (var interrupt = new InterruptSignal())
        {
            outcome = TrainOutput.Guard(s, run, () => run.Run(new AugmentedBatches(loader, labels: probe), steps, OnStep, interrupt.Token));
            if (outcome == RunOutcome.Interrupted)
            {
                // Plain output: a console of any width must not wrap the command in the middle.
                Console.WriteLine($"Stopped at step {trainer.Step}/{steps}; saved {run.LastCheckpoint}.");
                Console.WriteLine($"Resume with: {TrainOutput.ResumeCommand(args, output)}");
                return new(interrupt.ExitCode, output, null);
            }
        }
        string skipped = trainer.SkippedSteps > 0 ? $"; {trainer.SkippedSteps} steps skipped as non-finite" : "";
        AnsiConsole.MarkupLineInterpolated($"[grey]Pretraining took {sw.Elapsed.TotalSeconds:F0} s{skipped}; checkpoint {run.LastCheckpoint}; loss log {log.Path} (TensorBoard: {log.TensorBoardFolder}).[/]");

        double pretrainSeconds = sw.Elapsed.TotalSeconds;
        if (s.ProbeImages == 0) return new(0, output, null);
        // Evaluation: the same probe protocol on pretrained, random-init and raw-pixel features.
        // The probe reads the labelled training images, even when --limit cut the pretraining set.
        var probeData = ProbeData.From(data.Train, data.Test, s.ProbeImages);
        var rows = new List<(string Name, ProbeResult Result)>
        {
            ($"{method.Title} encoder", EncoderEvaluation.Evaluate(backend, method.Features, trainer.ModelValues(), probeData, s.Seed, protocol: s.ProbeProtocol)),
            ("random-init encoder", EncoderEvaluation.Evaluate(backend, method.Features, randomInit, probeData, s.Seed, protocol: s.ProbeProtocol)),
            ("raw pixels", EncoderEvaluation.RawPixels(backend, probeData, s.Seed, protocol: s.ProbeProtocol)),
        };
        var table = new Table().AddColumns("features", "dim", "linear probe", "kNN (k=20)", "seconds");
        foreach (var (name, r) in rows) table.AddRow(name, r.Dim.ToString(), $"{r.Probe:P2}", $"{r.Knn:P2}", r.Seconds.ToString());
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]Probe trained on {probeData.TrainLabels.Length} training images, evaluated on the full {probeData.TestLabels.Length}-image test set. Total {total.Elapsed.TotalSeconds:F0} s.[/]");
        var evaluation = new TrainEvaluation(s.Method, method.Title, data.Title, Path.GetFileName(log.Path), probeData.TrainLabels.Length, probeData.TestLabels.Length,
            rows[0].Result, rows[1].Result, rows[2].Result, pretrainSeconds, total.Elapsed.TotalSeconds, Finetune: null, s);
        evaluation.Write(output);
        if (s.FinetuneEpochs > 0)
        {
            var finetune = TrainFinetune.Run(s, backend, method, data, trainer.ModelValues(), randomInit);
            evaluation = evaluation with { Finetune = finetune, TotalSeconds = total.Elapsed.TotalSeconds };
            evaluation.Write(output);
            AnsiConsole.MarkupLineInterpolated($"[grey]Total {total.Elapsed.TotalSeconds:F0} s.[/]");
        }
        AnsiConsole.WriteLine(PretrainingVerdict.Describe(rows[0].Result, rows[1].Result, rows[2].Result));
        return new(0, output, evaluation);
    }
}
