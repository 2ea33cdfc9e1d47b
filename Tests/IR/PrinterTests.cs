using Dsl.Tests.Support;

namespace Dsl.Tests.IR;

/// <summary>The IR prints as stable text: snapshots of a forward and a full training graph.</summary>
public class PrinterTests
{
    static Dsl.Graph TinyMlpStep()
    {
        var g = new Dsl.Graph("tiny_mlp_step");
        var x = g.Input("x", new Shape(4, 3));
        var y = g.Input("y", new Shape(4), DType.Int64);
        var w1 = g.Parameter("fc1.weight", new Shape(5, 3));
        var b1 = g.Parameter("fc1.bias", new Shape(5));
        var w2 = g.Parameter("fc2.weight", new Shape(2, 5));
        Tensor h;
        using (g.Scope("fc1")) h = Ops.Linear(x, w1, b1);
        h = Ops.Gelu(h);
        Tensor logits;
        using (g.Scope("fc2")) logits = Ops.Linear(h, w2);
        var loss = Ops.CrossEntropy(logits, y);
        var grads = Autodiff.Gradients(loss, [w1, b1, w2]);
        foreach (var (p, d) in new[] { w1, b1, w2 }.Zip(grads)) g.Update(p, p - d * 0.1);
        g.Output("loss", loss);
        return g;
    }

    [Fact]
    public void Training_step_graph_prints_stably()
    {
        Snapshot.Verify(GraphPrinter.Print(TinyMlpStep()));
    }

    [Fact]
    public void Printing_is_deterministic_across_builds()
    {
        GraphPrinter.Print(TinyMlpStep()).ShouldBe(GraphPrinter.Print(TinyMlpStep()));
    }

    [Fact]
    public void Optimized_training_step_prints_stably()
    {
        Snapshot.Verify(GraphPrinter.Print(Dsl.Passes.Pipeline.Optimize(TinyMlpStep())));
    }
}
