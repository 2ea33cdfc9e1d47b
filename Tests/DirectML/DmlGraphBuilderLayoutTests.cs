using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 3 of the DirectML lowering: Slice (SLICE1) and Concat (JOIN), executed by the reference
/// interpreter from the native description and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderLayoutTests
{
    static readonly Shape XShape = new(3, 10);
    static readonly Shape YShape = new(2, 3, 4);

    static Graph Build()
    {
        var g = new Graph("slice-concat");
        var x = g.Input("x", XShape);
        var y = g.Input("y", YShape);
        var a = Ops.Slice(x, 1, 1, 9, 3);                        // [3, 3]: columns 1, 4, 7
        var b = Ops.Slice(x, 0, 1, 3);                           // [2, 10]
        g.Output("a", Ops.Exp(a));
        g.Output("c", Ops.Concat(0, b, x, Ops.Slice(x, 0, 2, 3))); // [6, 10]
        g.Output("d", Ops.Concat(2, y, Ops.Slice(y, 2, 1, 3), y)); // [2, 3, 10], one input twice
        g.Output("e", Ops.Neg(Ops.Concat(1, a, a)));             // [3, 6]
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(5);
        return new Dictionary<string, float[]>
        {
            ["x"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
            ["y"] = Enumerable.Range(0, (int)YShape.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
        };
    }

    [Fact]
    public void Slice_and_concat_through_the_native_graph_match_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.F32(XShape, feeds["x"]),
            ["y"] = HostTensor.F32(YShape, feeds["y"]),
        });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-6, atol: 0);
    }

    [Fact]
    public void Slice_and_join_descriptions_carry_the_window_and_the_axis()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var nodes = built.Nodes.ToArray();
        var first = Array.FindIndex(nodes, n => n.Op is SliceOp { Step: 3 });
        built.OperatorDesc(first)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_SLICE1);
        var slice = (DML_SLICE1_OPERATOR_DESC*)built.OperatorDesc(first)->Desc;
        slice->DimensionCount.ShouldBe(4u);
        new ReadOnlySpan<uint>(slice->InputWindowOffsets, 4).ToArray().ShouldBe([0u, 0u, 0u, 1u]);
        new ReadOnlySpan<uint>(slice->InputWindowSizes, 4).ToArray().ShouldBe([1u, 1u, 3u, 8u]);
        new ReadOnlySpan<int>(slice->InputWindowStrides, 4).ToArray().ShouldBe([1, 1, 1, 3]);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)slice->OutputTensor->Desc)->Sizes, 4).ToArray().ShouldBe([1u, 1u, 3u, 3u]);

        var concat = Array.FindIndex(nodes, n => n.Op is ConcatOp { Axis: 2 });
        built.OperatorDesc(concat)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_JOIN);
        var join = (DML_JOIN_OPERATOR_DESC*)built.OperatorDesc(concat)->Desc;
        join->InputCount.ShouldBe(3u);
        join->Axis.ShouldBe(3u);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)join->InputTensors[1].Desc)->Sizes, 4).ToArray().ShouldBe([1u, 2u, 3u, 2u]);
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)join->OutputTensor->Desc)->Sizes, 4).ToArray().ShouldBe([1u, 2u, 3u, 10u]);
        // y feeds the join twice: two input edges, inputs 0 and 2.
        var g = built.Desc;
        var toJoin = Enumerable.Range(0, (int)g->InputEdgeCount).Select(e => *(DML_INPUT_GRAPH_EDGE_DESC*)g->InputEdges[e].Desc).Where(e => e.ToNodeIndex == concat).Select(e => e.ToNodeInputIndex).Order().ToArray();
        toJoin.ShouldBe([0u, 2u]);
    }

    [Fact]
    public void The_interpreter_rejects_a_join_whose_inputs_do_not_add_up()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var concat = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is ConcatOp { Axis: 0 });
        ((DML_JOIN_OPERATOR_DESC*)built.OperatorDesc(concat)->Desc)->Axis = 3;
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray()))
            .Message.ShouldContain("outside axis 3");
    }
}
