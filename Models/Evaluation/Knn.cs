using System.Numerics.Tensors;
using Dsl.Execution;

namespace Dsl.Models.Evaluation;

/// <summary>
/// Weighted k-nearest-neighbour classification on frozen features, as solo-learn: cosine
/// similarity, the k most similar training samples vote with weight exp(similarity / T). The
/// similarities and the k nearest are one compiled graph on the backend (a chunk of queries
/// times the bank of training features, then top-k); only the k votes per query are cast on the host.
/// </summary>
public static class Knn
{
    /// <summary>Top-1 accuracy of kNN on the test features (row-major [count, dim] arrays).</summary>
    public static double Accuracy(IBackend backend, float[] train, long[] trainLabels, float[] test, long[] testLabels, int dim, int classes, int k = 20, double temperature = 0.07)
    {
        if (test.Length != testLabels.Length * dim)
            throw new ArgumentException($"Test features must be a [{testLabels.Length}, {dim}] array, one row per label; got {test.Length} values.");
        var predicted = Predict(backend, train, trainLabels, test, dim, classes, k, temperature);
        return (double)predicted.Where((p, i) => p == testLabels[i]).Count() / testLabels.Length;
    }

    /// <summary>
    /// The predicted class of each test row: the class with the largest summed weight among the
    /// <paramref name="k"/> most similar training rows (the lowest class on a tie). Queries run
    /// <paramref name="chunk"/> at a time, bounding the [chunk, training rows] similarities the backend holds.
    /// </summary>
    public static long[] Predict(IBackend backend, float[] train, long[] trainLabels, float[] test, int dim, int classes, int k = 20, double temperature = 0.07, int chunk = 500)
    {
        int n = trainLabels.Length, count = test.Length / dim;
        if (train.Length != (long)n * dim || test.Length != (long)count * dim)
            throw new ArgumentException($"Features must be [count, {dim}] arrays, the training ones one row per label.");
        if (k < 1 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be between 1 and the {n} training samples.");
        if (count == 0) return [];
        chunk = Math.Min(chunk, count);

        var g = new Graph("knn");
        var bank = g.Buffer("bank", new Shape(n, dim));
        var queries = g.Input("queries", new Shape(chunk, dim));
        var (similarity, neighbour) = Ops.TopK(Ops.MatMul(queries, bank, transposeB: true), k);
        g.Output("similarity", similarity);
        g.Output("neighbour", neighbour);
        using var compiled = backend.Compile(g);
        compiled.SetPersistent("bank", HostTensor.F32(bank.Shape, Normalized(train, dim)));

        var unit = Normalized(test, dim);
        var predicted = new long[count];
        var block = new float[chunk * dim];
        var votes = new double[classes];
        for (int start = 0; start < count; start += chunk)
        {
            int rows = Math.Min(chunk, count - start);
            Array.Clear(block);
            Array.Copy(unit, (long)start * dim, block, 0, (long)rows * dim);   // the last chunk is padded with zeros
            var result = compiled.Run(new Dictionary<string, HostTensor> { ["queries"] = HostTensor.F32(queries.Shape, block) });
            var s = (float[])result["similarity"].Data;
            var j = (long[])result["neighbour"].Data;
            for (int i = 0; i < rows; i++)
            {
                Array.Clear(votes);
                for (int m = i * k; m < (i + 1) * k; m++) votes[trainLabels[j[m]]] += Math.Exp(s[m] / temperature);
                predicted[start + i] = Array.IndexOf(votes, votes.Max());
            }
        }
        return predicted;
    }

    /// <summary>Rows scaled to unit length (zero rows stay zero).</summary>
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
