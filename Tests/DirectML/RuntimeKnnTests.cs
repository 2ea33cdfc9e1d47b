using Dsl.Backend.Torch;
using Dsl.Models.Evaluation;

namespace Dsl.Tests.DirectML;

/// <summary>kNN evaluation (a persistent bank, GEMM, TOP_K1) through DirectMLBackend on the reference device predicts what Backend.Torch predicts.</summary>
public class RuntimeKnnTests
{
    [Fact]
    public void Knn_on_the_reference_device_predicts_what_Torch_predicts()
    {
        const int dim = 8, classes = 4;
        var random = new System.Random(3);
        float[] Features(int count) => [.. Enumerable.Range(0, count * dim).Select(_ => (float)(random.NextDouble() * 2 - 1))];
        var (train, test) = (Features(150), Features(45));
        long[] labels = [.. Enumerable.Range(0, 150).Select(_ => (long)random.Next(classes))];

        using var device = new ReferenceDevice.ReferenceDevice();
        using var backend = device.CreateBackend();
        // 45 queries in chunks of 20: the last chunk is padded.
        var onDevice = device.Explain(() => Knn.Predict(backend, train, labels, test, dim, classes, k: 5, chunk: 20));
        onDevice.ShouldBe(Knn.Predict(new TorchBackend(), train, labels, test, dim, classes, k: 5, chunk: 20));
        device.Gpu.Errors.ShouldBeEmpty();
    }
}
