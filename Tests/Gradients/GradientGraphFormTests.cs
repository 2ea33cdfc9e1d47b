using Dsl.Backend.Torch;
using Dsl.Operators;
using Dsl.Tests.Support;

namespace Dsl.Tests.Gradients;

/// <summary>
/// The form of the gradient graph where the VJPs avoid work: adjacent slices' gradients join as
/// one concat (q, k, v of one projection), and a matrix shared by a batch gets its gradient from one
/// product. Each is also checked against TorchSharp autograd.
/// </summary>
public class GradientGraphFormTests
{
    static readonly TorchBackend Backend = new();

    /// <summary>Gradient of Σ f(x)·cot by our autodiff and by the oracle, compared.</summary>
    static void AssertMatchesAutograd(Graph g, Tensor y, Tensor[] wrt, Tensor[] grads)
    {
        for (int i = 0; i < wrt.Length; i++) g.Output("d_" + wrt[i].Name, grads[i]);
        var feeds = g.Inputs.Select((v, i) => (v, i)).ToDictionary(p => p.v.Name!, p => TestData.Uniform(p.v.Shape, 5 + p.i, dtype: p.v.DType));
        using var compiled = Backend.Compile(g);
        var results = compiled.Run(feeds);
        var expected = TorchOracle.Gradients(g, y, feeds, feeds["cot"], wrt);
        for (int i = 0; i < wrt.Length; i++)
            Close.Assert(results["d_" + wrt[i].Name], expected[i], rtol: 1e-9, atol: 1e-11, "d_" + wrt[i].Name);
    }

    static Tensor Loss(Graph g, Tensor y) => Ops.Sum(y * g.Input("cot", y.Shape, DType.Float64));

    [Fact]
    public void Adjacent_slices_of_one_value_get_their_gradient_as_one_concat()
    {
        var g = new Graph("qkv");
        var x = g.Input("x", new Shape(3, 2, 4), DType.Float64);
        Tensor q = Ops.Slice(x, 0, 0, 1), k = Ops.Slice(x, 0, 1, 2), v = Ops.Slice(x, 0, 2, 3);
        var y = Ops.Concat(2, q * q, k * 3.0, Ops.Exp(v));
        var dx = Autodiff.Gradients(Loss(g, y), [x])[0];

        dx.Producer!.Op.ShouldBeOfType<ConcatOp>();
        dx.Producer.Inputs.Count.ShouldBe(3, "an earlier join's concat is flattened, not nested");
        AssertMatchesAutograd(g, y, [x], [dx]);
    }

    [Fact]
    public void Slices_with_a_gap_between_them_keep_the_zero_filled_gradient()
    {
        var g = new Graph("gap");
        var x = g.Input("x", new Shape(5, 3), DType.Float64);
        var y = Ops.Concat(0, Ops.Slice(x, 0, 0, 2) * 2.0, Ops.Slice(x, 0, 3, 5) * 5.0);
        var dx = Autodiff.Gradients(Loss(g, y), [x])[0];

        dx.Producer!.Op.ShouldBeOfType<AddOp>();
        AssertMatchesAutograd(g, y, [x], [dx]);
    }

    [Fact]
    public void Two_adjacent_slices_short_of_the_axis_join_into_one_placed_slice_gradient()
    {
        var g = new Graph("partial");
        var x = g.Input("x", new Shape(6, 3), DType.Float64);
        var y = Ops.Concat(0, Ops.Slice(x, 0, 1, 3) * 2.0, Ops.Slice(x, 0, 3, 4) * 5.0);
        var dx = Autodiff.Gradients(Loss(g, y), [x])[0];

        dx.Producer!.Op.ShouldBe(new SliceGradOp(new Shape(6, 3), 0, 1, 1));
        dx.Producer.Inputs[0].Producer!.Op.ShouldBeOfType<ConcatOp>();
        AssertMatchesAutograd(g, y, [x], [dx]);
    }

    [Fact]
    public void A_weight_shared_by_a_batch_gets_its_gradient_from_one_matrix_product()
    {
        var g = new Graph("linear");
        var x = g.Input("x", new Shape(4, 5, 6), DType.Float64);
        var w = g.Input("w", new Shape(7, 6), DType.Float64);
        var y = Ops.Linear(x, w);
        var grads = Autodiff.Gradients(Loss(g, y), [x, w]);

        var dw = grads[1].Producer!;
        dw.Op.ShouldBeOfType<MatMulOp>();
        dw.Inputs.ShouldAllBe(t => t.Shape.Rank == 2, "the batch is folded into the rows, not summed after B products");
        g.Nodes.ShouldNotContain(n => n.Outputs.Any(o => o.Shape == new Shape(4, 7, 6)));
        AssertMatchesAutograd(g, y, [x, w], grads);
    }
}
