using Dsl.Models.Training;

namespace Dsl.Models.Evaluation;

/// <summary>
/// Linear probe on frozen features: features standardised with the training set's statistics
/// (the role of MAE's affine-free BatchNorm), then a linear classifier trained with AdamW on
/// cross-entropy through the same graph machinery as everything else.
/// </summary>
public static class LinearProbe
{
    /// <summary>Trains the probe and returns its test accuracy.</summary>
    public static double Accuracy(IBackend backend, float[] train, long[] trainLabels, float[] test, long[] testLabels, int dim, int classes,
        int epochs = 20, int batchSize = 256, double learningRate = 1e-2, int seed = 0)
    {
        var (mean, std) = Statistics(train, dim);
        var xTrain = Standardize(train, mean, std, dim);
        var xTest = Standardize(test, mean, std, dim);
        int n = trainLabels.Length;
        batchSize = Math.Min(batchSize, n);
        int stepsPerEpoch = n / batchSize;

        var g = new Graph("linear_probe");
        var x = g.Input("x", new Shape(batchSize, dim));
        var y = g.Input("y", new Shape(batchSize), DType.Int64);
        var w = g.Parameter("head.weight", new Shape(classes, dim));
        var b = g.Parameter("head.bias", new Shape(classes));
        var loss = Ops.CrossEntropy(Ops.Linear(x, w, b), y);
        g.Output("loss", loss);
        new AdamW(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm }
            .AddUpdates(g, [w, b], Autodiff.Gradients(loss, [w, b]), Optimizer.DeclareLearningRate(g));
        using var step = backend.Compile(g);
        step.SetPersistent("head.weight", Initializers.Create(Init.TorchDefault, w.Shape, new Random(seed)));

        var schedule = new WarmupCosineSchedule(learningRate, 0, (long)epochs * stepsPerEpoch);
        var order = Enumerable.Range(0, n).ToArray();
        var xb = new float[batchSize * dim];
        var yb = new long[batchSize];
        long t = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            new Random(unchecked(seed * 7919 + epoch)).Shuffle(order);
            for (int s = 0; s < stepsPerEpoch; s++, t++)
            {
                for (int i = 0; i < batchSize; i++)
                {
                    int src = order[s * batchSize + i];
                    Array.Copy(xTrain, src * dim, xb, i * dim, dim);
                    yb[i] = trainLabels[src];
                }
                step.Run(new Dictionary<string, HostTensor>
                {
                    ["x"] = HostTensor.F32(x.Shape, xb),
                    ["y"] = HostTensor.I64(y.Shape, yb),
                    [Optimizer.LearningRateInput] = HostTensor.F32(Shape.Scalar, [(float)schedule.At(t)]),
                });
            }
        }
        return Evaluate(step.GetPersistent("head.weight"), step.GetPersistent("head.bias"), xTest, testLabels, dim, classes);
    }

    static double Evaluate(HostTensor weight, HostTensor bias, float[] x, long[] labels, int dim, int classes)
    {
        var w = (float[])weight.Data;
        var b = (float[])bias.Data;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = x.AsSpan(i * dim, dim);
            int best = 0;
            float bestScore = float.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                float score = System.Numerics.Tensors.TensorPrimitives.Dot(row, w.AsSpan(c * dim, dim)) + b[c];
                if (score > bestScore) (best, bestScore) = (c, score);
            }
            if (best == labels[i]) correct++;
        }
        return (double)correct / labels.Length;
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
