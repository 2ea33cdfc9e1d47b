using System.Numerics.Tensors;

namespace Dsl.Models.Evaluation;

/// <summary>
/// Weighted k-nearest-neighbour classification on frozen features, as solo-learn: cosine
/// similarity, the k most similar training samples vote with weight exp(similarity / T).
/// </summary>
public static class Knn
{
    /// <summary>Top-1 accuracy of kNN on the test features (row-major [count, dim] arrays).</summary>
    public static double Accuracy(float[] train, long[] trainLabels, float[] test, long[] testLabels, int dim, int classes, int k = 20, double temperature = 0.07)
    {
        if (train.Length != trainLabels.Length * dim || test.Length != testLabels.Length * dim)
            throw new ArgumentException($"Features must be [count, {dim}] arrays matching the label counts.");
        if (k < 1 || k > trainLabels.Length) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the {trainLabels.Length} training samples.");
        var a = Normalized(train, dim);
        var b = Normalized(test, dim);
        int correct = 0;
        object gate = new();
        // One worker per core: the thread pool otherwise grows far past the cores on this CPU-bound loop.
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        Parallel.For(0, testLabels.Length, options, () => 0, (i, state, local) =>
        {
            var query = b.AsSpan(i * dim, dim);
            var best = new PriorityQueue<int, float>(k + 1);   // min-heap of the k largest similarities
            for (int j = 0; j < trainLabels.Length; j++)
            {
                float s = TensorPrimitives.Dot(query, a.AsSpan(j * dim, dim));
                if (best.Count < k) best.Enqueue(j, s);
                else if (best.TryPeek(out _, out var lowest) && s > lowest) best.EnqueueDequeue(j, s);
            }
            var votes = new double[classes];
            while (best.TryDequeue(out var j, out var s)) votes[trainLabels[j]] += Math.Exp(s / temperature);
            return local + (Array.IndexOf(votes, votes.Max()) == testLabels[i] ? 1 : 0);
        }, local => { lock (gate) correct += local; });
        return (double)correct / testLabels.Length;
    }

    static float[] Normalized(float[] x, int dim)
    {
        var y = new float[x.Length];
        for (int i = 0; i < x.Length / dim; i++)
        {
            var row = x.AsSpan(i * dim, dim);
            float norm = MathF.Max(TensorPrimitives.Norm(row), 1e-12f);
            TensorPrimitives.Divide(row, norm, y.AsSpan(i * dim, dim));
        }
        return y;
    }
}
