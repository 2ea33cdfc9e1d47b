using System.Diagnostics;
using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Data;
using Dsl.Models.Data.Augment;
using Dsl.Models.Evaluation;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// The one supervised loop: a method's encoder plus a linear head trained on labels, from random init or from given
/// encoder values, scored on the whole test set after every epoch. Behind <c>supervised</c>, <c>finetune</c> and the
/// fine-tune comparison at the end of <c>train</c>.
/// </summary>
static class SupervisedTraining
{
    /// <summary>The <c>--lr</c> of <c>finetune</c>/<c>supervised</c> and the default of <c>train --finetune-lr</c>.</summary>
    public const double DefaultLearningRate = 1e-3;

    /// <summary>How long and how fast to train.</summary>
    /// <param name="Epochs">Passes over the labelled images.</param>
    /// <param name="BatchSize">Images per step.</param>
    /// <param name="LearningRate">Peak AdamW learning rate (warmup, cosine decay).</param>
    /// <param name="Seed">Seed of the head's initialisation (and the encoder's, from random init), augmentation and order.</param>
    public sealed record Budget(int Epochs, int BatchSize, double LearningRate, int Seed);

    /// <summary>One epoch's figures.</summary>
    public sealed record Epoch(int Number, long Step, double TrainLoss, double TrainAccuracy, double TestAccuracy);

    /// <summary>
    /// Trains <paramref name="method"/>'s encoder and a linear head on <paramref name="train"/>, starting from
    /// <paramref name="start"/> (encoder values by name; null: a fresh init from the seed). Prints a progress line every
    /// 50 steps (prefixed with <paramref name="label"/>), calls <paramref name="onEpoch"/> after each epoch's test score
    /// and <paramref name="onEnd"/> with the trainer once done. Returns the epochs' figures.
    /// </summary>
    public static IReadOnlyList<Epoch> Run(IBackend backend, PretrainingMethod method, ImageDataset train, ImageDataset test,
        IReadOnlyDictionary<string, HostTensor>? start, string name, string label, Budget budget, Action<Epoch>? onEpoch = null, Action<Trainer>? onEnd = null)
    {
        int size = train.Height, classes = train.ClassNames.Count;
        var task = new ClassificationTask(method, train.Channels, size, classes, name) { Pretrained = start };
        // Mild augmentation, as the Keras example's classification_augmentation.
        var loader = new BatchLoader(train, new BatchLoaderOptions { BatchSize = budget.BatchSize, Seed = budget.Seed, DropLast = true },
            new AugmentationPipeline(new RandomResizedCrop(size, 0.5), new HorizontalFlip()));
        long perEpoch = loader.BatchCount, steps = perEpoch * budget.Epochs;
        if (perEpoch == 0) throw new CliException($"--batch-size {budget.BatchSize} is larger than the {train.Count} labelled training images: lower the batch size or use more images.");
        var options = new TrainerOptions(budget.BatchSize, new AdamW(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
            new WarmupCosineSchedule(budget.LearningRate, Math.Min(steps / 10, 200), steps), ClipNorm: 5.0, Seed: budget.Seed);
        using var trainer = new Trainer(backend, task, options);
        var batches = new AugmentedBatches(loader, labels: true);
        var epochs = new List<Epoch>();
        var clock = Stopwatch.StartNew();
        for (int number = 1; number <= budget.Epochs; number++)
        {
            double loss = 0, accuracy = 0;
            int count = 0;
            trainer.Fit(batches, number * perEpoch, r =>
            {
                loss += r.Loss;
                accuracy += r.Metrics["accuracy"];
                count++;
                if ((r.Step + 1) % 50 == 0 && r.Step + 1 < steps)
                {
                    double perStep = clock.Elapsed.TotalSeconds / (r.Step + 1);
                    AnsiConsole.MarkupLineInterpolated($"{label}: step {r.Step + 1,5}/{steps}  loss {loss / count:F4}  train acc {accuracy / count:P1}  ETA {TimeSpan.FromSeconds(perStep * (steps - r.Step - 1)):mm\\:ss}");
                }
            });
            var epoch = new Epoch(number, trainer.Step, loss / count, accuracy / count, TestAccuracy(backend, method, trainer, test, classes));
            epochs.Add(epoch);
            onEpoch?.Invoke(epoch);
        }
        onEnd?.Invoke(trainer);
        return epochs;
    }

    /// <summary>Accuracy of encoder (eval mode) + head on the whole test set.</summary>
    static double TestAccuracy(IBackend backend, PretrainingMethod method, Trainer trainer, ImageDataset test, int classes)
    {
        var values = trainer.ModelValues();
        Tensor Logits(Graph g, Tensor x)
        {
            var features = method.Features(g, x);
            return ModelContext.Build(g, () => new Linear(features.Shape[1], classes), prefix: "head").Forward(features, out _);
        }
        var (logits, width) = Features.Extract(backend, Logits, values, test.Pixels, test.Count, test.Channels, test.Height, test.Width);
        return Accuracy.Top1(logits, Array.ConvertAll(test.Labels!, l => (long)l), width);
    }
}
