using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The pooling ops of the DirectML lowering: MaxPool2d (MAX_POOLING2, maxima only), AvgPool2d
/// (AVERAGE_POOLING) and AvgPool2dGrad (AVERAGE_POOLING_GRAD), padding counted in the average as
/// in PyTorch; run by the reference interpreter and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderPoolingTests
{
    static Graph Pools()
    {
        var g = new Graph("pool2d");
        var x = g.Input("x", new Shape(2, 3, 7, 8));
        g.Output("max_k2", Ops.MaxPool2d(x, 2));                       // floor: 7 rows give 3
        g.Output("max_k3s2p1", Ops.MaxPool2d(x, 3, 2, 1));             // [2,3,4,4]
        // All negative: a padded zero must never win the maximum.
        g.Output("max_negative", Ops.MaxPool2d(Ops.Neg(Ops.Abs(x)) - 1, 3, 1, 1));
        g.Output("avg_k2", Ops.AvgPool2d(x, 2));
        g.Output("avg_k3s2p1", Ops.AvgPool2d(x, 3, 2, 1));             // border windows divide by 9
        g.Output("avg_k3s3p1", Ops.AvgPool2d(x, 3, 3, 1));             // (7+2-3) % 3 = 0, (8+2-3) % 3 = 1
        return g;
    }

    [Fact]
    public void Max_and_average_pooling_through_the_native_graph_match_Torch() =>
        DmlGraphBuilderConvolutionTests.AssertMatchesTorch(Pools, seed: 81, rtol: 1e-6, atol: 1e-6);

    static Graph AvgGrad()
    {
        var g = new Graph("avg_pool2d_grad");
        var x = g.Input("x", new Shape(2, 3, 7, 8));
        var y = Ops.AvgPool2d(x, 3, 2, 1);
        var dy = g.Input("dy", y.Shape);
        g.Output("dx", Autodiff.Gradients(y, [x], seed: dy)[0]);      // from autodiff: AvgPool2dGrad
        var dy2 = g.Input("dy2", new Shape(1, 2, 2, 3));
        g.Output("floor", Ops.AvgPool2dGrad(dy2, new Shape(1, 2, 6, 8), 3, 3, 1)); // (6+2-3) % 3 = 2, (8+2-3) % 3 = 1: the last row and column get none
        g.Output("k2", Ops.AvgPool2dGrad(dy2, new Shape(1, 2, 5, 7), 2, 2, 0));    // row 4 and column 6 get none
        return g;
    }

    [Fact]
    public void Average_pooling_gradient_through_the_native_graph_matches_Torch()
    {
        AvgGrad().Nodes.Count(n => n.Op is AvgPool2dGradOp).ShouldBe(3);
        DmlGraphBuilderConvolutionTests.AssertMatchesTorch(AvgGrad, seed: 82, rtol: 1e-6, atol: 1e-6);
    }

    [Fact]
    public void Pooling_descriptions_carry_the_window_and_count_padding()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Pools(), operators.Create);
        var maxIndex = Enumerable.Range(0, built.Nodes.Count).First(i => built.Nodes[i].Op is MaxPool2dOp { Kernel: 3, Stride: 2 });
        var max = built.OperatorDesc(maxIndex);
        max->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_MAX_POOLING2);
        var m = (DML_MAX_POOLING2_OPERATOR_DESC*)max->Desc;
        (m->OutputIndicesTensor == null).ShouldBeTrue();
        new ReadOnlySpan<uint>(m->WindowSize, 2).ToArray().ShouldBe([3u, 3u]);
        new ReadOnlySpan<uint>(m->Strides, 2).ToArray().ShouldBe([2u, 2u]);
        new ReadOnlySpan<uint>(m->StartPadding, 2).ToArray().ShouldBe([1u, 1u]);
        new ReadOnlySpan<uint>(m->EndPadding, 2).ToArray().ShouldBe([1u, 1u]);
        new ReadOnlySpan<uint>(m->Dilations, 2).ToArray().ShouldBe([1u, 1u]);

        var avgIndex = Enumerable.Range(0, built.Nodes.Count).First(i => built.Nodes[i].Op is AvgPool2dOp);
        var avg = built.OperatorDesc(avgIndex);
        avg->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_AVERAGE_POOLING);
        ((DML_AVERAGE_POOLING_OPERATOR_DESC*)avg->Desc)->IncludePadding.ShouldBe(1);
    }

    [Fact]
    public void The_reference_rejects_pooled_sizes_that_do_not_follow_the_window()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(AvgGrad(), operators.Create);
        var last = built.Nodes.Count - 1; // "k2": [1,2,2,3] to [1,2,5,7], window 2, stride 2
        var d = (DML_AVERAGE_POOLING_GRAD_OPERATOR_DESC*)built.OperatorDesc(last)->Desc;
        d->Strides[1] = 3;
        var error = Should.Throw<InvalidOperationException>(() =>
            DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => new float[v.Shape.Numel]).ToArray()));
        error.Message.ShouldContain("pooling [1,2,5,7] gives 2");
    }

    [Fact]
    public void Max_pooling_indices_that_reach_an_output_are_refused()
    {
        var g = new Graph("max_pool2d_indices");
        var x = g.Input("x", new Shape(1, 2, 4, 4));
        var outputs = g.Apply(new MaxPool2dOp(2, 2, 0), x);
        g.Output("y", outputs[0]);
        g.Output("indices", outputs[1]);
        using var operators = new ReferenceOperators();
        var error = Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create));
        error.Message.ShouldContain("indices");
        error.Message.ShouldContain("max_pool2d");
    }

    [Fact]
    public void Unused_max_pooling_indices_do_not_block_the_maxima()
    {
        var g = new Graph("max_pool2d_maxima");
        var x = g.Input("x", new Shape(1, 2, 4, 4));
        var outputs = g.Apply(new MaxPool2dOp(2, 2, 0), x);
        g.Output("y", outputs[0]);
        _ = Ops.Cast(outputs[1], DType.Float32); // a dead consumer of the indices
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        var input = Enumerable.Range(0, 32).Select(i => (float)((i * 7) % 32)).ToArray();
        var y = DmlGraphInterpreter.Execute(built.Desc, operators, [input])[0];
        // Plane 0 of (i·7) mod 32 as 4 x 4: rows [0 7 14 21], [28 3 10 17], [24 31 6 13], [20 27 2 9].
        y.Take(4).ShouldBe([28f, 21f, 31f, 13f]);
    }
}
