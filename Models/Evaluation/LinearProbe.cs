using Dsl.Execution;
using Dsl.Models.Data;
using Dsl.Models.Training;

namespace Dsl.Models.Evaluation;

/// <summary>How a linear probe is fitted on frozen features.</summary>
public enum ProbeProtocol
{
    /// <summary>
    /// Features standardised with the training set's statistics, then a linear layer trained with AdamW
    /// (weight decay 1e-4 on the weight), lr 1e-2 decayed by a cosine, PyTorch's default init.
    /// Fast and forgiving of the feature scale; the default.
    /// </summary>
    AdamW,

    /// <summary>
    /// The standard protocol of MAE's <c>main_linprobe.py</c> and the Keras examples: an affine-free
    /// batch norm (eps 1e-6) before the linear layer, head weight truncated normal with std 0.01,
    /// SGD with momentum 0.9 and no weight decay, lr 0.1·batch/256 (MAE's base-lr rule) with a linear
    /// warmup over the first tenth of the steps (MAE: 10 of 90 epochs), then a cosine decay to 0. MAE
    /// uses LARS; on one linear layer plain momentum SGD is the MoCo protocol it replaces. It needs a
    /// few hundred steps: the norm's running statistics (momentum 0.1, as PyTorch) must forget their
    /// initial 0 and 1 before evaluation uses them.
    /// </summary>
    Sgd,
}

/// <summary>
/// Linear probe on frozen features, trained by the shared <see cref="Trainer"/> on
/// <see cref="ShuffledBatches"/> of the feature rows (<see cref="ProbeTask"/>), scored on the test
/// rows with <see cref="Accuracy.Top1(ReadOnlySpan{float}, ReadOnlySpan{long}, int)"/>.
/// </summary>
public static class LinearProbe
{
    /// <summary>Trains the probe and returns its test accuracy.</summary>
    /// <param name="backend">Where the probe trains.</param>
    /// <param name="train">Training features, [n, dim] row-major.</param>
    /// <param name="trainLabels">Their labels.</param>
    /// <param name="test">Test features.</param>
    /// <param name="testLabels">Their labels.</param>
    /// <param name="dim">Feature width.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="epochs">Passes over the training features.</param>
    /// <param name="batchSize">Rows per step (at most the training rows).</param>
    /// <param name="learningRate">Peak learning rate; null for the protocol's (1e-2 for AdamW, 0.1·batch/256 for SGD).</param>
    /// <param name="seed">Seed of the head's init and of the order of the rows.</param>
    /// <param name="protocol">How the probe is fitted.</param>
    public static double Accuracy(IBackend backend, float[] train, long[] trainLabels, float[] test, long[] testLabels, int dim, int classes,
        int epochs = 20, int batchSize = 256, double? learningRate = null, int seed = 0, ProbeProtocol protocol = ProbeProtocol.AdamW)
    {
        if (protocol == ProbeProtocol.AdamW)
        {
            var (mean, std) = Statistics(train, dim);
            (train, test) = (Standardize(train, mean, std, dim), Standardize(test, mean, std, dim));
        }
        int n = trainLabels.Length;
        batchSize = Math.Min(batchSize, n);
        var rows = new ImageDataset(train, n, 1, 1, dim, Array.ConvertAll(trainLabels, l => (int)l));
        var batches = new ShuffledBatches(rows, batchSize, Seeds.Derive(seed, "probe.shuffle"));
        long steps = (long)epochs * batches.StepsPerEpoch;
        bool sgd = protocol == ProbeProtocol.Sgd;
        var task = new ProbeTask(dim, classes, normalize: sgd, headStd: sgd ? 0.01 : null);
        var options = sgd
            ? new TrainerOptions(batchSize, new Sgd(Momentum: 0.9), new WarmupCosineSchedule(learningRate ?? 0.1 * batchSize / 256, steps / 10, steps), Seed: seed)
            : new TrainerOptions(batchSize, new AdamW(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
                new WarmupCosineSchedule(learningRate ?? 1e-2, 0, steps), Seed: seed);
        using var trainer = new Trainer(backend, task, options);
        trainer.Fit(batches, steps);
        var (logits, _) = Features.Extract(backend, task.Logits, trainer.ModelValues(), test, testLabels.Length, dim, 1, 1);
        return Evaluation.Accuracy.Top1(logits, testLabels, classes);
    }

    static (float[] Mean, float[] Std) Statistics(float[] x, int dim)
    {
        int n = x.Length / dim;
        var mean = new double[dim];
        var sq = new double[dim];
        for (int i = 0; i < n; i++)
            for (int d = 0; d < dim; d++)
            {
                double v = x[i * dim + d];
                mean[d] += v;
                sq[d] += v * v;
            }
        var m = mean.Select(s => (float)(s / n)).ToArray();
        var std = sq.Select((s, d) => (float)Math.Sqrt(Math.Max(s / n - m[d] * (double)m[d], 0) + 1e-6)).ToArray();
        return (m, std);
    }

    static float[] Standardize(float[] x, float[] mean, float[] std, int dim)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length; i++) y[i] = (x[i] - mean[i % dim]) / std[i % dim];
        return y;
    }
}
