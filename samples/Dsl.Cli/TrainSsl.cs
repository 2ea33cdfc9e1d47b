using System.Diagnostics;
using Dsl.Backend.Torch;
using Dsl.Models.Data;
using Dsl.Models.Data.Augment;
using Dsl.Models.Evaluation;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>Settings of <c>train</c> (self-supervised pretraining), as parsed from the command line.</summary>
sealed record TrainSslSettings(string Method, int Epochs, int BatchSize, double LearningRate, int Width, double Temperature,
    int Seed, string? Data, string Device, int? Limit, string Out, string? Resume, int ProbeImages);

/// <summary>
/// Self-supervised pretraining (SimCLR or Barlow Twins) through the shared <see cref="Trainer"/>, then the honest comparison:
/// linear probe and kNN on the pretrained encoder, on the same encoder at random init, and on raw pixels.
/// </summary>
static class TrainSsl
{
    public static int Run(TrainSslSettings s)
    {
        var total = Stopwatch.StartNew();
        var backend = new TorchBackend(s.Device);
        var data = FashionMnist.Load(s.Data);
        var train = data.Train.ToDataset(FashionMnist.ClassNames);
        if (s.Limit is int limit) train = train.Take(Math.Min(limit, train.Count));
        bool barlow = s.Method == "barlow";
        var (firstView, secondView) = barlow ? AugmentationPipeline.BarlowTwins(28) : (AugmentationPipeline.SimClr(28), AugmentationPipeline.SimClr(28));
        var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = s.BatchSize, Seed = s.Seed, DropLast = true }, firstView, secondView);
        long steps = (long)s.Epochs * loader.BatchCount;
        if (steps == 0) throw new CliException($"--batch-size {s.BatchSize} is larger than the {train.Count} training images.");
        ITrainingTask task = barlow
            ? new BarlowTwinsTask(train.Channels, 28, s.Width, 4 * s.Width)
            : new SimClrTask(train.Channels, 28, s.Width, s.Width, s.Temperature);
        var options = new TrainerOptions(s.BatchSize, new AdamW(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
            new WarmupCosineSchedule(s.LearningRate, Math.Min(steps / 10, 200), steps), ClipNorm: 5.0, Seed: s.Seed);
        using var trainer = new Trainer(backend, task, options);
        var randomInit = Snapshot(trainer);
        Directory.CreateDirectory(s.Out);
        var checkpoint = Path.Combine(s.Out, $"{task.Name}.safetensors");
        if (s.Resume is { } resume)
        {
            trainer.LoadCheckpoint(resume);
            AnsiConsole.MarkupLineInterpolated($"[grey]Resumed from {resume} at step {trainer.Step}.[/]");
        }
        AnsiConsole.MarkupLineInterpolated($"{(barlow ? "Barlow Twins" : "SimCLR")} on Fashion-MNIST: {train.Count} images, {s.Epochs} epochs x {loader.BatchCount} steps, batch {s.BatchSize}, width {s.Width}{(barlow ? "" : $", temperature {s.Temperature}")}, lr {s.LearningRate:G3}, {backend.Name}");

        var sw = Stopwatch.StartNew();
        var csv = new StreamWriter(Path.Combine(s.Out, $"{task.Name}_loss.csv")) { AutoFlush = true };
        csv.WriteLine("step,loss,lr");
        double window = 0;
        int windowCount = 0;
        trainer.Fit(new AugmentedBatches(loader), steps, r =>
        {
            csv.WriteLine(FormattableString.Invariant($"{r.Step},{r.Loss},{r.LearningRate}"));
            window += r.Loss;
            windowCount++;
            if (r.Step % 20 == 19 || r.Step == steps - 1)
            {
                double perStep = sw.Elapsed.TotalSeconds / Math.Max(1, r.Step + 1 - (s.Resume is null ? 0 : 0));
                AnsiConsole.MarkupLineInterpolated($"step {r.Step + 1,5}/{steps}  loss {window / windowCount:F4}  lr {r.LearningRate:G3}  {s.BatchSize / perStep,7:F0} img/s  ETA {TimeSpan.FromSeconds(perStep * (steps - r.Step - 1)):mm\\:ss}");
                window = 0;
                windowCount = 0;
            }
        });
        csv.Dispose();
        trainer.SaveCheckpoint(checkpoint);
        AnsiConsole.MarkupLineInterpolated($"[grey]Pretraining took {sw.Elapsed.TotalSeconds:F0} s; checkpoint {checkpoint}.[/]");

        // Evaluation: the same probe protocol on pretrained, random-init and raw-pixel features.
        int probeCount = Math.Min(s.ProbeImages, data.Train.Count);
        var trainPixels = data.Train.Pixels.AsSpan(0, probeCount * 784).ToArray();
        var trainLabels = data.Train.Labels.Take(probeCount).Select(l => (long)l).ToArray();
        var testPixels = data.Test.Pixels;
        var testLabels = data.Test.Labels.Select(l => (long)l).ToArray();
        Tensor Encoder(Graph g, Tensor x) => ModelContext.Build(g, () => new ConvEncoder(1, s.Width), prefix: "encoder").Forward(x, out _);

        var rows = new List<(string Name, double Probe, double Knn)>();
        foreach (var (name, parameters) in new[] { ($"{(barlow ? "Barlow Twins" : "SimCLR")} encoder", Snapshot(trainer)), ("random-init encoder", randomInit) })
        {
            var (ftrain, dim) = Features.Extract(backend, Encoder, parameters, trainPixels, probeCount, 1, 28, 28);
            var (ftest, _) = Features.Extract(backend, Encoder, parameters, testPixels, testLabels.Length, 1, 28, 28);
            rows.Add((name, LinearProbe.Accuracy(backend, ftrain, trainLabels, ftest, testLabels, dim, 10, seed: s.Seed),
                Knn.Accuracy(ftrain, trainLabels, ftest, testLabels, dim, 10)));
        }
        rows.Add(("raw pixels", LinearProbe.Accuracy(backend, trainPixels, trainLabels, testPixels, testLabels, 784, 10, seed: s.Seed),
            Knn.Accuracy(trainPixels, trainLabels, testPixels, testLabels, 784, 10)));

        var table = new Table().AddColumns("features", "linear probe", "kNN (k=20)");
        foreach (var (name, probe, knn) in rows) table.AddRow(name, $"{probe:P2}", $"{knn:P2}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"[grey]Probe trained on {probeCount} training images, evaluated on the full {testLabels.Length}-image test set. Total {total.Elapsed.TotalSeconds:F0} s.[/]");
        return 0;
    }

    static Dictionary<string, HostTensor> Snapshot(Trainer trainer) =>
        trainer.StepGraph.Parameters.ToDictionary(p => p.Name!, p => trainer.Compiled.GetPersistent(p.Name!));
}
