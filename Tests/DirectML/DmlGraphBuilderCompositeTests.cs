using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The second slice of the DirectML lowering: unary and binary element-wise ops, reductions and
/// views, in a layer-norm-like composite built to a native DML_GRAPH_DESC, run by the reference
/// interpreter and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderCompositeTests
{
    static readonly Dictionary<string, Shape> Shapes = new()
    {
        ["x"] = new Shape(4, 8),
        ["p"] = new Shape(4, 8),
        ["eps"] = new Shape(1),
    };

    static Graph Composite()
    {
        var g = new Graph("composite");
        var x = g.Input("x", Shapes["x"]);
        var p = g.Input("p", Shapes["p"]);      // positive
        var eps = g.Input("eps", Shapes["eps"]); // a constant, broadcast by Add
        var mu = Ops.Mean(x, -1, keepDims: true);                      // [4,1]
        var d = x - mu;
        var variance = Ops.Mean(d * d, -1, keepDims: true);
        var n = d * Ops.Rsqrt(variance + eps);                         // [4,8]
        var t = Ops.Permute(n, 1, 0);                                  // [8,4]
        g.Output("norm", Ops.Reshape(t, 2, 16));                       // an alias as a graph output
        g.Output("sum", Ops.Sum(Ops.Reshape(t, 2, 16), 0));            // [16], keepDims false
        g.Output("max", Ops.Max(n, 1));                                // [4]
        g.Output("amax", Ops.Max(Ops.Reshape(n, 2, 2, 8), [0, 2], keepDims: true)); // [1,2,1]
        g.Output("act", Ops.Sigmoid(n) + Ops.Tanh(n) * Ops.Erf(n) - Ops.Sign(n) * Ops.Abs(n));
        var positive = Ops.Div(Ops.Log(p) + Ops.Sqrt(p), p);
        var centre = Ops.Expand(Ops.StopGradient(mu), Shapes["x"]);
        g.Output("mix", Ops.Minimum(Ops.Maximum(positive, Ops.Neg(x)), centre + p));
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(4321);
        float[] Uniform(Shape s, double lo, double hi) => Enumerable.Range(0, (int)s.Numel).Select(_ => (float)(lo + random.NextDouble() * (hi - lo))).ToArray();
        return new()
        {
            ["x"] = Uniform(Shapes["x"], -2, 2),
            ["p"] = Uniform(Shapes["p"], 0.25, 3),
            ["eps"] = [1e-5f],
        };
    }

    [Fact]
    public void Layer_norm_like_composite_through_the_native_graph_matches_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Composite(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Composite());
        var expected = compiled.Run(feeds.ToDictionary(kv => kv.Key, kv => HostTensor.F32(Shapes[kv.Key], kv.Value)));

        built.Outputs.Select(o => o.Name).ShouldBe(["norm", "sum", "max", "amax", "act", "mix"]);
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void Views_alias_or_copy_and_rsqrt_is_two_nodes()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Composite(), operators.Create);
        var g = built.Desc;
        var types = Enumerable.Range(0, (int)g->NodeCount).Select(i => built.OperatorDesc(i)->Type).ToArray();

        // No node for reshape or stop_gradient; rsqrt is SQRT then RECIP, joined by an edge.
        built.Nodes.ShouldNotContain(n => n.Op is ReshapeOp || n.Op is StopGradientOp);
        var sqrt = Array.IndexOf(types, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_SQRT, Array.FindIndex(built.Nodes.ToArray(), n => n.Op is RsqrtOp));
        built.Nodes[sqrt].Op.ShouldBeOfType<RsqrtOp>();
        built.Nodes[sqrt + 1].Op.ShouldBeOfType<RsqrtOp>();
        types[sqrt + 1].ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_RECIP);
        var edges = Enumerable.Range(0, (int)g->IntermediateEdgeCount).Select(e => *(DML_INTERMEDIATE_GRAPH_EDGE_DESC*)g->IntermediateEdges[e].Desc).ToArray();
        edges.ShouldContain(e => e.FromNodeIndex == sqrt && e.ToNodeIndex == sqrt + 1 && e.ToNodeInputIndex == 0);

        // The "norm" output (a reshape of the permute) comes straight from the identity node.
        var output0 = (DML_OUTPUT_GRAPH_EDGE_DESC*)g->OutputEdges[0].Desc;
        var permute = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is PermuteOp);
        output0->FromNodeIndex.ShouldBe((uint)permute);
        var identity = (DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)built.OperatorDesc(permute)->Desc;
        types[permute].ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_IDENTITY);
        (identity->ScaleBias == null).ShouldBeTrue();
        var input = (DML_BUFFER_TENSOR_DESC*)identity->InputTensor->Desc;
        new ReadOnlySpan<uint>(input->Sizes, 4).ToArray().ShouldBe([1u, 1u, 8u, 4u]);
        new ReadOnlySpan<uint>(input->Strides, 4).ToArray().ShouldBe([0u, 0u, 1u, 8u]);
        input->TotalTensorSizeInBytes.ShouldBe(32ul * 4);

        // Expand: zero strides; neg: identity with scale -1, bias 0.
        var expand = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is ExpandOp);
        var expanded = (DML_BUFFER_TENSOR_DESC*)((DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)built.OperatorDesc(expand)->Desc)->InputTensor->Desc;
        new ReadOnlySpan<uint>(expanded->Strides, 4).ToArray().ShouldBe([0u, 0u, 1u, 0u]);
        expanded->TotalTensorSizeInBytes.ShouldBe(4ul * 4);
        var neg = (DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC*)built.OperatorDesc(Array.FindIndex(built.Nodes.ToArray(), n => n.Op is NegOp))->Desc;
        neg->ScaleBias->Scale.ShouldBe(-1f);
        neg->ScaleBias->Bias.ShouldBe(0f);

        // Reduce over the last axis keeps it as 1; keepDims false and true give the same 4-D output.
        var mean = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is MeanOp);
        var reduce = (DML_REDUCE_OPERATOR_DESC*)built.OperatorDesc(mean)->Desc;
        types[mean].ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_REDUCE);
        reduce->Function.ShouldBe(DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE);
        new ReadOnlySpan<uint>(reduce->Axes, (int)reduce->AxisCount).ToArray().ShouldBe([3u]);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)reduce->OutputTensor->Desc)->Sizes, 4).ToArray().ShouldBe([1u, 1u, 4u, 1u]);
        var max = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is MaxOp { KeepDims: false });
        var maxReduce = (DML_REDUCE_OPERATOR_DESC*)built.OperatorDesc(max)->Desc;
        maxReduce->Function.ShouldBe(DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_MAX);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)maxReduce->OutputTensor->Desc)->Sizes, 4).ToArray().ShouldBe([1u, 1u, 4u, 1u]);
        var sum = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is SumOp);
        var sumReduce = (DML_REDUCE_OPERATOR_DESC*)built.OperatorDesc(sum)->Desc;
        sumReduce->Function.ShouldBe(DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)sumReduce->InputTensor->Desc)->Sizes, 4).ToArray().ShouldBe([1u, 1u, 2u, 16u]);
        new ReadOnlySpan<uint>(sumReduce->Axes, 1).ToArray().ShouldBe([2u]);

        // Graph inputs: x, p, eps; every node's tensor is described once per use.
        built.Inputs.Select(v => v.Name).ShouldBe(["x", "p", "eps"]);
        operators.Count.ShouldBe((int)g->NodeCount);
    }

    [Fact]
    public void An_output_that_aliases_a_graph_input_is_a_copy_of_it_for_the_runtime()
    {
        var g = new Graph("alias");
        var x = g.Input("x", new Shape(2, 3));
        g.Output("y", Ops.Reshape(x, 3, 2));
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(g, operators.Create);
        built.Results.ShouldHaveSingleItem().CopyOf.ShouldBe(x);
        built.Results[0].GraphOutputIndex.ShouldBe(-1);
        built.Desc->OutputCount.ShouldBe(0u);
        built.Desc->NodeCount.ShouldBe(0u);
    }

    [Fact]
    public void Aliases_of_graph_inputs_bind_the_graph_input_itself()
    {
        Graph Build()
        {
            var g = new Graph("input-alias");
            var x = g.Input("x", new Shape(2, 6));
            var r = Ops.Reshape(Ops.Reshape(x, 3, 4), 12);              // a chain of aliases
            g.Output("y", Ops.Exp(r) + Ops.Reshape(Ops.StopGradient(x), 12));
            g.Output("m", Ops.Mean(Ops.Reshape(x, 3, 2, 2), [0, 2]));   // [2]
            return g;
        }
        var data = Enumerable.Range(0, 12).Select(i => (i - 6) / 4f).ToArray();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        built.Inputs.Select(v => v.Name).ShouldBe(["x"]);
        built.Desc->NodeCount.ShouldBe(3u);                             // exp, add, mean
        built.Desc->InputEdgeCount.ShouldBe(3u);                        // exp, add (B), mean
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, [data]);

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(new Shape(2, 6), data) });
        Close.Assert(HostTensor.F32(new Shape(12), outputs[0]), expected["y"], rtol: 1e-5, atol: 1e-6, "y");
        Close.Assert(HostTensor.F32(new Shape(2), outputs[1]), expected["m"], rtol: 1e-5, atol: 1e-6, "m");
    }

    [Fact]
    public void The_interpreter_rejects_a_reduce_output_that_does_not_keep_the_reduced_axes()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Composite(), operators.Create);
        var mean = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is MeanOp);
        var reduce = (DML_REDUCE_OPERATOR_DESC*)built.OperatorDesc(mean)->Desc;
        reduce->Axes[0] = 2;
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray()))
            .Message.ShouldContain("do not reduce");
    }
}
