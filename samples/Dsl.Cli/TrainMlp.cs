using System.Diagnostics;
using Dsl.Backend.Torch;
using Dsl.Models;
using Dsl.Models.Data;
using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>An expected failure (bad option value, unavailable device, diverged run): printed as one line.</summary>
sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    /// <summary>Process exit code: 2 for bad options, 1 for other failures.</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>Settings of <c>train-mlp</c>, as parsed from the command line.</summary>
sealed record TrainMlpSettings(
    int Epochs, int BatchSize, double LearningRate, int Hidden, string Optimizer, int Seed, string? Data,
    string Device, int? Limit, string Activation, string Schedule, int LogEvery);

/// <summary>
/// Trains the Fashion-MNIST MLP through one compiled step graph replayed every step, evaluating
/// the full test set through a separate evaluation graph after every epoch.
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
        AnsiConsole.MarkupLineInterpolated($"[grey]Fashion-MNIST from {data.Directory}: {train.Count} train, {data.Test.Count} test images of {train.Rows}x{train.Cols} (loaded in {sw.Elapsed.TotalSeconds:F1} s)[/]");

        var mlp = new Mlp(s.Hidden, s.Activation == "relu" ? Activation.Relu : Activation.Gelu, train.ImageSize, FashionMnist.ClassCount);
        Optimizer optimizer = s.Optimizer == "sgd" ? new Sgd(Momentum: 0.9) : new AdamW();
        string optimizerText = optimizer switch
        {
            Sgd o => $"SGD (momentum {o.Momentum}, weight decay {o.WeightDecay})",
            AdamW o => $"AdamW (betas {o.Beta1}/{o.Beta2}, eps {o.Eps:G1}, weight decay {o.WeightDecay})",
            _ => optimizer.GetType().Name,
        };

        sw.Restart();
        var stepGraph = mlp.BuildTrainStep(s.BatchSize, optimizer);
        using var step = backend.Compile(stepGraph);
        using var eval = backend.Compile(mlp.BuildEval(Math.Min(EvalBatch, data.Test.Count)));
        ParameterTransfer.Load(step, mlp.InitialParameters(s.Seed));
        int stepsPerEpoch = trainCount / s.BatchSize;
        int totalSteps = stepsPerEpoch * s.Epochs;
        AnsiConsole.MarkupLineInterpolated(
            $"MLP {mlp.Inputs}-{mlp.Hidden}-{mlp.Classes} ({s.Activation}, {mlp.ParameterCount:N0} parameters), {optimizerText}, lr {s.LearningRate:G3} ({s.Schedule}), batch {s.BatchSize}, seed {s.Seed}, {backend.Name}");
        AnsiConsole.MarkupLineInterpolated(
            $"[grey]Step graph: {stepGraph.Nodes.Count} nodes, {step.Graph.Nodes.Count} after passes, {step.Graph.Persistent.Count()} persistent values; compiled in {sw.Elapsed.TotalMilliseconds:F0} ms. {s.Epochs} epochs x {stepsPerEpoch} steps on {trainCount} images ({trainCount - stepsPerEpoch * s.BatchSize} left out per epoch).[/]");

        var x = new float[s.BatchSize * train.ImageSize];
        var y = new long[s.BatchSize];
        var inputs = new Dictionary<string, HostTensor>();
        var order = Enumerable.Range(0, trainCount).ToArray();
        var stepMs = new List<double>(totalSteps);
        double lastLoss = double.NaN;
        int globalStep = 0;

        for (int epoch = 1; epoch <= s.Epochs; epoch++)
        {
            Shuffle(order, new Random(unchecked(s.Seed * 7919 + epoch)));
            double windowLoss = 0, windowAcc = 0, windowMs = 0, epochLoss = 0, epochAcc = 0;
            int windowSteps = 0;
            var epochClock = Stopwatch.StartNew();
            for (int k = 0; k < stepsPerEpoch; k++, globalStep++)
            {
                var clock = Stopwatch.StartNew();
                train.FillBatch(order.AsSpan(k * s.BatchSize, s.BatchSize), x, y);
                inputs[Mlp.ImagesInput] = HostTensor.F32(new Shape(s.BatchSize, train.ImageSize), x);
                inputs[Mlp.LabelsInput] = HostTensor.I64(new Shape(s.BatchSize), y);
                inputs[Optimizer.LearningRateInput] = HostTensor.F32(Shape.Scalar, [(float)LearningRate(s, globalStep, totalSteps)]);
                var outputs = step.Run(inputs);
                double ms = clock.Elapsed.TotalMilliseconds;
                stepMs.Add(ms);

                double loss = outputs[Mlp.LossOutput].ToScalar(), acc = outputs[Mlp.AccuracyOutput].ToScalar();
                if (!double.IsFinite(loss))
                    throw new CliException($"The loss became {loss} at epoch {epoch} step {k + 1}: training diverged. Lower --lr (now {s.LearningRate:G3}).", exitCode: 1);
                lastLoss = loss;
                (windowLoss, windowAcc, windowMs, windowSteps) = (windowLoss + loss, windowAcc + acc, windowMs + ms, windowSteps + 1);
                (epochLoss, epochAcc) = (epochLoss + loss, epochAcc + acc);

                if ((k + 1) % s.LogEvery == 0 || k + 1 == stepsPerEpoch)
                {
                    double mean = windowMs / windowSteps;
                    AnsiConsole.MarkupLineInterpolated(
                        $"epoch {epoch}/{s.Epochs} step {k + 1,4}/{stepsPerEpoch}  loss [yellow]{windowLoss / windowSteps:F4}[/]  acc {windowAcc / windowSteps:P1}  step {mean,6:F2} ms  {s.BatchSize * 1000 / mean,7:F0} img/s");
                    (windowLoss, windowAcc, windowMs, windowSteps) = (0, 0, 0, 0);
                }
            }
            double trainSeconds = epochClock.Elapsed.TotalSeconds;

            sw.Restart();
            ParameterTransfer.Copy(step, eval);
            var (testLoss, testAcc) = Evaluate(backend, mlp, eval, data.Test);
            AnsiConsole.MarkupLineInterpolated(
                $"[bold]epoch {epoch} done[/] in {trainSeconds:F1} s: train loss {epochLoss / stepsPerEpoch:F4}, train acc {epochAcc / stepsPerEpoch:P1} | [bold green]test loss {testLoss:F4}, test acc {testAcc:P2}[/] (eval {sw.Elapsed.TotalSeconds:F1} s)");
        }

        var steady = stepMs.Count > 1 ? stepMs.Skip(1).ToList() : stepMs;
        steady.Sort();
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]mean step time {steady.Average():F2} ms[/] (batch assembly + graph run; median {steady[steady.Count / 2]:F2} ms over {steady.Count} steps after the first; first step {stepMs[0]:F1} ms), final batch loss {lastLoss:F4}, total {total.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    /// <summary>Mean loss and accuracy over a whole split, in batches of the eval graph's size plus a remainder graph.</summary>
    static (double Loss, double Accuracy) Evaluate(TorchBackend backend, Mlp mlp, ICompiledGraph eval, ImageSplit split)
    {
        int batch = eval.Graph[Mlp.ImagesInput].Shape[0];
        double lossSum = 0, correct = 0;
        int done = 0;
        ICompiledGraph? tail = null;
        try
        {
            while (done < split.Count)
            {
                int n = Math.Min(batch, split.Count - done);
                var graph = eval;
                if (n != batch)
                {
                    tail = backend.Compile(mlp.BuildEval(n));
                    ParameterTransfer.Copy(eval, tail);
                    graph = tail;
                }
                var x = new float[n * split.ImageSize];
                var y = new long[n];
                split.FillBatch(Enumerable.Range(done, n).ToArray(), x, y);
                var outputs = graph.Run(new Dictionary<string, HostTensor>
                {
                    [Mlp.ImagesInput] = HostTensor.F32(new Shape(n, split.ImageSize), x),
                    [Mlp.LabelsInput] = HostTensor.I64(new Shape(n), y),
                });
                lossSum += outputs[Mlp.LossOutput].ToScalar() * n;
                correct += outputs[Mlp.AccuracyOutput].ToScalar() * n;
                done += n;
            }
        }
        finally
        {
            tail?.Dispose();
        }
        return (lossSum / split.Count, correct / split.Count);
    }

    static double LearningRate(TrainMlpSettings s, int step, int totalSteps) => s.Schedule == "cosine"
        ? s.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / totalSteps))
        : s.LearningRate;

    /// <summary>Fisher–Yates shuffle driven by a seeded generator.</summary>
    static void Shuffle(int[] order, Random rng)
    {
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
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
