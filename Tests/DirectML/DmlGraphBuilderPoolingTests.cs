using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The pooling ops of the DirectML lowering: MaxPool2d (MAX_POOLING2; when its indices are read,
/// MAX_POOLING2's whole-tensor UINT32 indices made per-plane by FILL_VALUE_SEQUENCE and SUBTRACT,
/// then CAST to int64), AvgPool2d (AVERAGE_POOLING) and AvgPool2dGrad (AVERAGE_POOLING_GRAD),
/// padding counted in the average as in PyTorch; run by the reference interpreter and compared
/// with Backend.Torch.
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
        (m->OutputIndicesTensor == null).ShouldBeTrue(); // nothing reads the indices: MAX_POOLING2 alone
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

    /// <summary>Maxima and indices (cast to float32, exact here, for the float comparison) of max pooling.</summary>
    static Graph MaxWithIndices()
    {
        var g = new Graph("max_pool2d_indices");
        var x = g.Input("x", new Shape(2, 3, 7, 9));
        void Pool(string name, Tensor input, int kernel, int stride, int padding)
        {
            var outputs = g.Apply(new MaxPool2dOp(kernel, stride, padding), input);
            g.Output(name, outputs[0]);
            g.Output(name + "_indices", Ops.Cast(outputs[1], DType.Float32));
        }
        Pool("k2", x, 2, 2, 0);                                   // floor: 7 rows give 3, 9 columns 4
        Pool("k3s2p1", x, 3, 2, 1);                               // [2,3,4,5], border windows in the padding
        Pool("k3s1p1_negative", Ops.Neg(Ops.Abs(x)) - 1, 3, 1, 1); // a padded zero must never win
        // About half the values are 0 after relu: windows of zeros only tie, the first in window order wins (Torch's rule).
        Pool("k3s2p1_ties", Ops.Relu(x), 3, 2, 1);
        return g;
    }

    [Fact]
    public void Max_pooling_indices_are_per_plane_and_match_Torch() =>
        DmlGraphBuilderConvolutionTests.AssertMatchesTorch(MaxWithIndices, seed: 83, rtol: 0, atol: 0);

    /// <summary>The max-pooling gradient from autodiff (scatter-add by the indices) on odd sizes, strides, padding and ties.</summary>
    static Graph MaxGrad()
    {
        var g = new Graph("max_pool2d_grad");
        var x = g.Input("x", new Shape(2, 3, 7, 9));
        void Grad(string name, Tensor input, int kernel, int stride, int padding)
        {
            var y = Ops.MaxPool2d(input, kernel, stride, padding);
            var dy = g.Input("dy_" + name, y.Shape);
            g.Output(name, Autodiff.Gradients(y, [x], seed: dy)[0]);
        }
        Grad("k2", x, 2, 2, 0);               // the last row and column are in no window: zero gradient
        Grad("k3s2p1", x, 3, 2, 1);           // overlapping windows: an element chosen twice sums both
        Grad("k3s1p1_ties", Ops.Relu(x), 3, 1, 1);
        return g;
    }

    [Fact]
    public void Max_pooling_gradient_through_the_native_graph_matches_Torch()
    {
        MaxGrad().Nodes.Count(n => n.Op is ScatterAddOp).ShouldBe(3);
        DmlGraphBuilderConvolutionTests.AssertMatchesTorch(MaxGrad, seed: 84, rtol: 1e-6, atol: 1e-6);
    }

    [Fact]
    public void Read_max_pooling_indices_lower_to_pooling_plane_offsets_subtract_and_cast()
    {
        var g = new Graph("max_pool2d_indices_raw");
        var x = g.Input("x", new Shape(2, 2, 4, 4));
        var outputs = g.Apply(new MaxPool2dOp(2, 2, 0), x);
        g.Output("y", outputs[0]);
        g.Output("indices", outputs[1]); // int64 itself, as the gradient reads it
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        built.Nodes.Count.ShouldBe(4);
        var types = Enumerable.Range(0, 4).Select(i => built.OperatorDesc(i)->Type).ToArray();
        types.ShouldBe([DML_OPERATOR_TYPE.DML_OPERATOR_MAX_POOLING2, DML_OPERATOR_TYPE.DML_OPERATOR_FILL_VALUE_SEQUENCE,
            DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_TYPE.DML_OPERATOR_CAST]);
        var pool = (DML_MAX_POOLING2_OPERATOR_DESC*)built.OperatorDesc(0)->Desc;
        ((DML_BUFFER_TENSOR_DESC*)pool->OutputIndicesTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32);
        var fill = (DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC*)built.OperatorDesc(1)->Desc;
        fill->ValueDataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32);
        fill->ValueDelta.UInt64.ShouldBe(16UL); // one H·W plane
        var subtract = (DML_ELEMENT_WISE_SUBTRACT_OPERATOR_DESC*)built.OperatorDesc(2)->Desc;
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)subtract->BTensor->Desc)->Strides, 4).ToArray().ShouldBe([2u, 1u, 0u, 0u]);
        ((DML_BUFFER_TENSOR_DESC*)((DML_CAST_OPERATOR_DESC*)built.OperatorDesc(3)->Desc)->OutputTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64);

        // Each 4 x 4 plane counts up from its own offset: every window's maximum is its bottom-right element.
        var input = Enumerable.Range(0, 64).Select(i => (float)i).ToArray();
        var results = DmlGraphInterpreter.Execute(built.Desc, operators, [input]);
        results[1].ShouldBe([5f, 7f, 13f, 15f, 5f, 7f, 13f, 15f, 5f, 7f, 13f, 15f, 5f, 7f, 13f, 15f]);
        results[0].Take(8).ShouldBe([5f, 7f, 13f, 15f, 21f, 23f, 29f, 31f]);
    }

    [Fact]
    public void Max_pooling_indices_of_more_than_2_to_the_32_elements_are_refused()
    {
        var g = new Graph("max_pool2d_huge");
        var x = g.Input("x", new Shape(2, 4, 32768, 16385)); // 2^32 + 2^18 elements
        var outputs = g.Apply(new MaxPool2dOp(2, 2, 0), x);
        g.Output("y", outputs[0]);
        g.Output("indices", outputs[1]);
        using var operators = new ReferenceOperators();
        var error = Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create));
        error.Message.ShouldContain("max_pool2d");
        error.Message.ShouldContain("2^32");
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
