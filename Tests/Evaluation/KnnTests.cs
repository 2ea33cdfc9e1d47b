using System.Numerics.Tensors;
using Dsl.Backend.Torch;
using Dsl.Models.Evaluation;

namespace Dsl.Tests.Evaluation;

/// <summary>kNN on the backend (one matmul and top-k per chunk of queries) predicts what the plain host loop predicts.</summary>
public class KnnTests
{
    static readonly TorchBackend Backend = new();

    /// <summary>The definition, one query at a time on the host: cosine similarity to every training row, the k largest vote with exp(s/T), the lowest class wins a tie.</summary>
    static long[] HostPredict(float[] train, long[] trainLabels, float[] test, int dim, int classes, int k, double temperature)
    {
        static float[] Unit(float[] x, int dim)
        {
            var y = new float[x.Length];
            for (int i = 0; i < x.Length / dim; i++)
                TensorPrimitives.Divide(x.AsSpan(i * dim, dim), MathF.Max(TensorPrimitives.Norm(x.AsSpan(i * dim, dim)), 1e-12f), y.AsSpan(i * dim, dim));
            return y;
        }
        var (a, b) = (Unit(train, dim), Unit(test, dim));
        var predicted = new long[test.Length / dim];
        for (int i = 0; i < predicted.Length; i++)
        {
            var best = new PriorityQueue<int, float>();   // min-heap of the k largest similarities
            for (int j = 0; j < trainLabels.Length; j++)
            {
                float s = TensorPrimitives.Dot(b.AsSpan(i * dim, dim), a.AsSpan(j * dim, dim));
                if (best.Count < k) best.Enqueue(j, s);
                else if (best.TryPeek(out _, out var lowest) && s > lowest) best.EnqueueDequeue(j, s);
            }
            var votes = new double[classes];
            while (best.TryDequeue(out var j, out var s)) votes[trainLabels[j]] += Math.Exp(s / temperature);
            predicted[i] = Array.IndexOf(votes, votes.Max());
        }
        return predicted;
    }

    /// <summary>Clustered random features: class centres plus noise, so votes are neither unanimous nor random.</summary>
    static (float[] X, long[] Y) Clustered(int count, int dim, int classes, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, classes * dim).Select(_ => (float)random.NextDouble() * 2 - 1).ToArray();
        var y = Enumerable.Range(0, count).Select(_ => (long)random.Next(classes)).ToArray();
        var x = new float[count * dim];
        for (int i = 0; i < count; i++)
            for (int d = 0; d < dim; d++)
                x[i * dim + d] = centres[y[i] * dim + d] + 1.5f * ((float)random.NextDouble() * 2 - 1);
        return (x, y);
    }

    [Theory]
    [InlineData(20, 0.07, 500)]
    [InlineData(1, 0.07, 500)]
    [InlineData(7, 0.5, 128)]     // several chunks, the last one padded
    public void Backend_knn_predicts_what_the_host_loop_predicts_on_random_features(int k, double temperature, int chunk)
    {
        const int dim = 24, classes = 6;
        var (train, trainY) = Clustered(2000, dim, classes, seed: 1);
        var (test, _) = Clustered(300, dim, classes, seed: 2);
        var expected = HostPredict(train, trainY, test, dim, classes, k, temperature);
        var predicted = Knn.Predict(Backend, train, trainY, test, dim, classes, k, temperature, chunk);
        predicted.ShouldBe(expected);
        expected.Distinct().Count().ShouldBe(classes);   // the comparison covers every class
    }

    [Fact]
    public void A_tied_vote_goes_to_the_lower_class()
    {
        // Two identical training rows of different classes: equal weights.
        float[] train = [1, 0, 1, 0, 0, 1];
        long[] labels = [2, 1, 0];
        Knn.Predict(Backend, train, labels, [1, 0.001f], 2, 3, k: 2).ShouldBe([1L]);
    }

    [Fact]
    public void K_beyond_the_training_rows_is_refused()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => Knn.Predict(Backend, [1, 0], [0], [1, 0], 2, 1, k: 2));
    }
}
