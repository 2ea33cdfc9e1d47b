using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Evaluation;

namespace Dsl.Tests.Evaluation;

/// <summary>One accuracy definition, in the graph and on the host: the label must be the first index of the row's maximum.</summary>
public class AccuracyTests
{
    static double InGraph(float[] logits, long[] labels, int classes)
    {
        var g = new Graph("accuracy");
        var x = g.Input("logits", new Shape(labels.Length, classes));
        var y = g.Input("labels", new Shape(labels.Length), DType.Int64);
        g.Output("accuracy", Accuracy.Top1(x, y));
        using var compiled = new TorchBackend().Compile(g);
        return compiled.Run(new Dictionary<string, HostTensor>
        {
            ["logits"] = HostTensor.F32(x.Shape, logits),
            ["labels"] = HostTensor.I64(y.Shape, labels),
        })["accuracy"].ToScalar();
    }

    [Fact]
    public void Graph_and_host_agree_on_random_logits()
    {
        var random = new Random(3);
        var logits = Enumerable.Range(0, 64 * 5).Select(_ => random.NextSingle()).ToArray();
        var labels = Enumerable.Range(0, 64).Select(_ => (long)random.Next(5)).ToArray();
        double host = Accuracy.Top1(logits, labels, 5);
        host.ShouldBeInRange(0.05, 0.5);   // random logits: about one in five
        InGraph(logits, labels, 5).ShouldBe(host, 1e-6);
    }

    [Fact]
    public void A_tie_counts_for_the_first_maximum_only()
    {
        float[] logits = [1, 3, 3, 0, 2, 2, 2, 5, 1];
        Accuracy.Top1(logits, [2, 2, 0], 3).ShouldBe(0);        // the first maxima are at 1, 1, 1
        Accuracy.Top1(logits, [1, 1, 1], 3).ShouldBe(1);
        InGraph(logits, [2, 2, 0], 3).ShouldBe(0);
        InGraph(logits, [1, 1, 1], 3).ShouldBe(1);
        Should.Throw<ArgumentException>(() => Accuracy.Top1(logits, [1, 1], 3)).Message.ShouldContain("2 labels need 2 x 3 logits");
    }
}
