using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The convolution family of the DirectML lowering: Conv2d (CONVOLUTION forward),
/// Conv2dInputGrad (CONVOLUTION backward with output padding) and Conv2dWeightGrad (CONVOLUTION
/// of swapped-axes views, dilation = stride, shortened when the floor dropped rows), run by the
/// reference interpreter and compared with Backend.Torch. Sizes are chosen so that
/// (H + 2p - k) mod s is both 0 and not.
/// </summary>
public unsafe class DmlGraphBuilderConvolutionTests
{
    /// <summary>Builds <paramref name="build"/>'s graph, runs it through the native description and Torch, and compares every output.</summary>
    internal static void AssertMatchesTorch(Func<Graph> build, int seed, double rtol = 1e-5, double atol = 1e-5)
    {
        var graph = build();
        var random = new System.Random(seed);
        var feeds = graph.Inputs.ToDictionary(v => v.Name!, v => Enumerable.Range(0, (int)v.Shape.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(graph, operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(build());
        var expected = compiled.Run(feeds.ToDictionary(kv => kv.Key, kv => HostTensor.F32(graph[kv.Key].Shape, kv.Value)));
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol, atol);
    }

    static Graph Forward()
    {
        var g = new Graph("conv2d");
        var x = g.Input("x", new Shape(2, 3, 7, 7));
        var w = g.Input("w", new Shape(4, 3, 3, 3));
        var x8 = g.Input("x8", new Shape(2, 3, 8, 9));
        var w2 = g.Input("w2", new Shape(2, 3, 2, 3));
        g.Output("s1p0", Ops.Conv2d(x, w));                         // [2,4,5,5]
        g.Output("s2p1", Ops.Conv2d(x, w, stride: 2, padding: 1));  // (7+2-3) % 2 = 0: [2,4,4,4]
        g.Output("s2p0", Ops.Conv2d(x8, w, stride: 2));              // (8-3) % 2 = 1, (9-3) % 2 = 0: [2,4,3,4]
        g.Output("s3p1", Ops.Conv2d(x8, w2, stride: 3, padding: 1)); // non-square kernel: [2,2,3,3]
        return g;
    }

    [Fact]
    public void Conv2d_through_the_native_graph_matches_Torch() => AssertMatchesTorch(Forward, seed: 71);

    static Graph InputGrad()
    {
        var g = new Graph("conv2d_input_grad");
        var w = g.Input("w", new Shape(4, 3, 3, 3));
        var dyEven = g.Input("dy_even", new Shape(2, 4, 4, 4));
        var dyFloor = g.Input("dy_floor", new Shape(2, 4, 3, 4));
        var dyPad = g.Input("dy_pad", new Shape(1, 4, 4, 3));
        g.Output("even", Ops.Conv2dInputGrad(dyEven, w, new Shape(2, 3, 7, 7), stride: 2, padding: 1));   // no output padding
        g.Output("floor", Ops.Conv2dInputGrad(dyFloor, w, new Shape(2, 3, 8, 9), stride: 2, padding: 0)); // output padding (1, 0)
        g.Output("pad", Ops.Conv2dInputGrad(dyPad, w, new Shape(1, 3, 10, 8), stride: 3, padding: 1));    // output padding (0, 1)
        return g;
    }

    [Fact]
    public void Conv2d_input_grad_through_the_native_graph_matches_Torch() => AssertMatchesTorch(InputGrad, seed: 72);

    [Fact]
    public void Conv2d_input_grad_is_a_backward_convolution_with_output_padding_for_the_floor()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(InputGrad(), operators.Create);
        built.Nodes.Count.ShouldBe(3);
        uint[][] expected = [[0, 0], [1, 0], [0, 1]];
        for (var i = 0; i < 3; i++)
        {
            var op = built.OperatorDesc(i);
            op->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_CONVOLUTION);
            var d = (DML_CONVOLUTION_OPERATOR_DESC*)op->Desc;
            d->Direction.ShouldBe(DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_BACKWARD);
            d->Mode.ShouldBe(DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CROSS_CORRELATION);
            new ReadOnlySpan<uint>(d->OutputPadding, 2).ToArray().ShouldBe(expected[i]);
        }
    }

    [Fact]
    public void The_reference_convolution_mode_flips_the_filter()
    {
        var g = new Graph("flip");
        var x = g.Input("x", new Shape(1, 2, 5, 6));
        var w = g.Input("w", new Shape(3, 2, 2, 3));
        g.Output("y", Ops.Conv2d(x, w, stride: 2, padding: 1));
        var random = new System.Random(75);
        var xs = Enumerable.Range(0, 60).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var ws = Enumerable.Range(0, 36).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        // The same filter turned by 180° in each [kh, kw] plane.
        var flipped = new float[36];
        for (var plane = 0; plane < 6; plane++)
        {
            for (var k = 0; k < 6; k++)
                flipped[plane * 6 + k] = ws[plane * 6 + 5 - k];
        }

        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        built.Inputs.Select(v => v.Name).ShouldBe(["x", "w"]);
        var correlation = DmlGraphInterpreter.Execute(built.Desc, operators, [xs, ws])[0];
        ((DML_CONVOLUTION_OPERATOR_DESC*)built.OperatorDesc(0)->Desc)->Mode = DML_CONVOLUTION_MODE.DML_CONVOLUTION_MODE_CONVOLUTION;
        var convolution = DmlGraphInterpreter.Execute(built.Desc, operators, [xs, flipped])[0];
        convolution.ShouldBe(correlation);
    }

    delegate void ConvolutionEdit(DML_CONVOLUTION_OPERATOR_DESC* desc);

    [Fact]
    public void The_reference_rejects_convolutions_DirectML_would_reject()
    {
        // Node 1 is the "floor" input gradient: [2,4,3,4] to [2,3,8,9], stride 2, output padding (1, 0).
        string Reject(ConvolutionEdit corrupt)
        {
            using var operators = new ReferenceOperators();
            using var built = DmlGraphBuilder.Build(InputGrad(), operators.Create);
            corrupt((DML_CONVOLUTION_OPERATOR_DESC*)built.OperatorDesc(1)->Desc);
            return Should.Throw<InvalidOperationException>(() =>
                DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => new float[v.Shape.Numel]).ToArray())).Message;
        }

        Reject(d => d->OutputPadding[0] = 0).ShouldContain("a transposed convolution of [2,4,3,4] gives 7");
        Reject(d => d->OutputPadding[0] = 2).ShouldContain("output padding 2 is not below the stride 2");
        Reject(d => d->Direction = DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_FORWARD).ShouldContain("filter [4,3,3,3] is not [output channels 3, input channels 4");
        Reject(d => d->GroupCount = 2).ShouldContain("GroupCount 2");
    }

    static Graph WeightGrad()
    {
        var g = new Graph("conv2d_weight_grad");
        var x = g.Input("x", new Shape(2, 3, 7, 7));
        var x8 = g.Input("x8", new Shape(2, 3, 8, 9));
        var x88 = g.Input("x88", new Shape(2, 3, 8, 8));
        var dyEven = g.Input("dy_even", new Shape(2, 4, 4, 4));
        var dyFloor = g.Input("dy_floor", new Shape(2, 4, 3, 4));
        var dyPad = g.Input("dy_pad", new Shape(2, 4, 4, 4));
        var dyBoth = g.Input("dy_both", new Shape(2, 4, 3, 3));
        var dyOne = g.Input("dy_one", new Shape(2, 5, 5, 5));
        var w = new Shape(4, 3, 3, 3);
        g.Output("even", Ops.Conv2dWeightGrad(x, dyEven, w, stride: 2, padding: 1));     // (7+2-3) % 2 = 0
        g.Output("floor", Ops.Conv2dWeightGrad(x8, dyFloor, w, stride: 2, padding: 0));  // r = (1, 0), no padding: x's view is a row shorter
        g.Output("pad", Ops.Conv2dWeightGrad(x88, dyPad, w, stride: 2, padding: 1));     // r = (1, 1) ≤ p: no end padding instead
        g.Output("both", Ops.Conv2dWeightGrad(x8, dyBoth, w, stride: 3, padding: 1));    // r = (1, 2): end padding 0, and a column less of x
        g.Output("one", Ops.Conv2dWeightGrad(x, dyOne, new Shape(5, 3, 3, 3), stride: 1, padding: 0));
        return g;
    }

    [Fact]
    public void Conv2d_weight_grad_through_the_native_graph_matches_Torch() => AssertMatchesTorch(WeightGrad, seed: 73);

    [Fact]
    public void Conv2d_weight_grad_reads_x_and_dy_through_swapped_strides()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(WeightGrad(), operators.Create);
        // One CONVOLUTION each, no crop and no copy.
        Enumerable.Range(0, built.Nodes.Count).Select(i => built.OperatorDesc(i)->Type).ShouldAllBe(t => t == DML_OPERATOR_TYPE.DML_OPERATOR_CONVOLUTION);
        built.Nodes.Count.ShouldBe(5);
        var conv = Enumerable.Range(0, 5).Select(i => (nint)built.OperatorDesc(i)->Desc).ToArray();
        string Pair(uint* values) => $"{values[0]},{values[1]}";

        var even = (DML_CONVOLUTION_OPERATOR_DESC*)conv[0];
        even->Direction.ShouldBe(DML_CONVOLUTION_DIRECTION.DML_CONVOLUTION_DIRECTION_FORWARD);
        Pair(even->Strides).ShouldBe("1,1");
        Pair(even->Dilations).ShouldBe("2,2");
        Pair(even->StartPadding).ShouldBe("1,1");
        Pair(even->EndPadding).ShouldBe("1,1");
        // x [2,3,7,7] as [C=3, N=2, 7, 7]; dy [2,4,4,4] as [O=4, N=2, 4, 4]; the output [C, O, 3, 3] written into dw's [O, C, 3, 3].
        Buffer(even->InputTensor).ShouldBe("[3,2,7,7] strides [49,147,7,1] bytes 1176");
        Buffer(even->FilterTensor).ShouldBe("[4,2,4,4] strides [16,64,4,1] bytes 512");
        Buffer(even->OutputTensor).ShouldBe("[3,4,3,3] strides [9,27,3,1] bytes 432");

        // floor: no padding to shorten, so x is read a row short (8 rows of 9 stay the buffer's size).
        var floor = (DML_CONVOLUTION_OPERATOR_DESC*)conv[1];
        Buffer(floor->InputTensor).ShouldBe("[3,2,7,9] strides [72,216,9,1] bytes 1728");
        Pair(floor->EndPadding).ShouldBe("0,0");
        // pad: the dropped row and column come out of the end padding.
        var pad = (DML_CONVOLUTION_OPERATOR_DESC*)conv[2];
        Buffer(pad->InputTensor).ShouldBe("[3,2,8,8] strides [64,192,8,1] bytes 1536");
        Pair(pad->StartPadding).ShouldBe("1,1");
        Pair(pad->EndPadding).ShouldBe("0,0");
        // both: one row from the end padding; two columns: the end padding and one of x's.
        var both = (DML_CONVOLUTION_OPERATOR_DESC*)conv[3];
        Buffer(both->InputTensor).ShouldBe("[3,2,8,8] strides [72,216,9,1] bytes 1728");
        Pair(both->Dilations).ShouldBe("3,3");
        Pair(both->EndPadding).ShouldBe("0,0");
    }

    [Fact]
    public void A_weight_gradient_whose_window_reads_only_padding_is_refused()
    {
        var g = new Graph("padding_only");
        var x = g.Input("x", new Shape(1, 1, 1, 1));
        var dy = g.Input("dy", new Shape(1, 1, 1, 1));
        g.Output("dw", Ops.Conv2dWeightGrad(x, dy, new Shape(1, 1, 1, 1), stride: 7, padding: 2));
        using var operators = new ReferenceOperators();
        Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create)).Message.ShouldContain("sees only padding");
    }

    /// <summary>A buffer tensor as "[sizes] strides [strides] bytes total" (packed strides spelled out when null).</summary>
    static string Buffer(DML_TENSOR_DESC* tensor)
    {
        var b = (DML_BUFFER_TENSOR_DESC*)tensor->Desc;
        var sizes = new ReadOnlySpan<uint>(b->Sizes, (int)b->DimensionCount).ToArray();
        var strides = new uint[sizes.Length];
        if (b->Strides != null)
        {
            strides = new ReadOnlySpan<uint>(b->Strides, (int)b->DimensionCount).ToArray();
        }
        else
        {
            uint packed = 1;
            for (var d = sizes.Length - 1; d >= 0; d--)
            {
                strides[d] = packed;
                packed *= sizes[d];
            }
        }
        return $"[{string.Join(",", sizes)}] strides [{string.Join(",", strides)}] bytes {b->TotalTensorSizeInBytes}";
    }

    /// <summary>Two convolutions and the gradients autodiff appends: input and weight gradients of both, chained.</summary>
    static Graph Chain()
    {
        var g = new Graph("conv_chain");
        var x = g.Input("x", new Shape(2, 3, 10, 9));
        var w1 = g.Input("w1", new Shape(4, 3, 3, 3));
        var w2 = g.Input("w2", new Shape(2, 4, 3, 2));
        var h = Ops.Conv2d(x, w1, stride: 2, padding: 1);  // (10+2-3) % 2 = 1, (9+2-3) % 2 = 0: [2,4,5,5]
        var y = Ops.Conv2d(h, w2, stride: 1, padding: 1);  // [2,2,5,6]
        var dy = g.Input("dy", y.Shape);
        var grads = Autodiff.Gradients(y, [x, w1, w2], seed: dy);
        g.Output("y", y);
        g.Output("dx", grads[0]);
        g.Output("dw1", grads[1]);
        g.Output("dw2", grads[2]);
        return g;
    }

    [Fact]
    public void Conv_forward_and_backward_from_autodiff_match_Torch()
    {
        var graph = Chain();
        graph.Nodes.Select(n => n.Op.GetType()).Distinct().Order(Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name)))
            .ShouldBe([typeof(Conv2dInputGradOp), typeof(Conv2dOp), typeof(Conv2dWeightGradOp)]);
        AssertMatchesTorch(Chain, seed: 74);
    }
}
