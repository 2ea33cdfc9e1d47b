using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 4 of the DirectML lowering: Full (and scalar constants in arithmetic, which the IR makes
/// Full) as FILL_VALUE_CONSTANT, a node with no inputs, compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderFullTests
{
    static readonly Shape XShape = new(2, 3);

    static Graph Build()
    {
        var g = new Graph("full");
        var x = g.Input("x", XShape);
        g.Output("scaled", x * 3.0 + 0.5);
        g.Output("lse", Ops.LogSumExp(x * 2.0, axis: 0));
        return g;
    }

    [Fact]
    public void Full_through_the_native_graph_matches_Torch()
    {
        var feeds = new Dictionary<string, float[]> { ["x"] = [0.5f, -1f, 2f, 3f, -0.25f, 1.5f] };
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(XShape, feeds["x"]) });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void Full_is_a_fill_node_with_no_input_edges()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var first = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is FullOp);
        var op = built.OperatorDesc(first);
        op->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_FILL_VALUE_CONSTANT);
        var d = (DML_FILL_VALUE_CONSTANT_OPERATOR_DESC*)op->Desc;
        d->ValueDataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32);
        d->Value.Float32.ShouldBe(3f);
        var desc = built.Desc;
        for (var e = 0; e < desc->InputEdgeCount; e++)
            ((DML_INPUT_GRAPH_EDGE_DESC*)desc->InputEdges[e].Desc)->ToNodeIndex.ShouldNotBe((uint)first);
    }
}
