using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 3 of the DirectML lowering: Gather (GATHER) and TakeAlongAxis (GATHER_ELEMENTS) with the
/// IR's int64 indices as INT64 tensors, compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderGatherTests
{
    static readonly Shape XShape = new(4, 5);

    static Graph Build()
    {
        var g = new Graph("gather");
        var x = g.Input("x", XShape);
        var rows = g.Input("rows", new Shape(3), DType.Int64);
        var take = g.Input("take", new Shape(4, 2), DType.Int64);
        g.Output("g0", Ops.Gather(x, rows, 0));                  // [3, 5]
        g.Output("g1", Ops.Exp(Ops.Gather(x, rows, 1)));         // [4, 3]
        g.Output("t", Ops.TakeAlongAxis(x, take, 1));            // [4, 2]
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(11);
        return new Dictionary<string, float[]>
        {
            ["x"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(),
            ["rows"] = [3, 0, 3],
            ["take"] = [4, 0, 1, 1, 2, 3, 0, 4],
        };
    }

    [Fact]
    public void Gather_and_take_along_axis_through_the_native_graph_match_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.F32(XShape, feeds["x"]),
            ["rows"] = HostTensor.I64(new Shape(3), [3, 0, 3]),
            ["take"] = HostTensor.I64(new Shape(4, 2), [4, 0, 1, 1, 2, 3, 0, 4]),
        });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-6, atol: 1e-7);
    }

    [Fact]
    public void Gather_descriptions_use_int64_indices_and_the_shifted_axis()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var nodes = built.Nodes.ToArray();
        var g1 = Array.FindIndex(nodes, n => n.Op is GatherOp { Axis: 1 });
        built.OperatorDesc(g1)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_GATHER);
        var gather = (DML_GATHER_OPERATOR_DESC*)built.OperatorDesc(g1)->Desc;
        gather->Axis.ShouldBe(3u);
        gather->IndexDimensions.ShouldBe(1u);
        var indices = (DML_BUFFER_TENSOR_DESC*)gather->IndicesTensor->Desc;
        indices->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64);
        new ReadOnlySpan<uint>(indices->Sizes, 4).ToArray().ShouldBe([1u, 1u, 1u, 3u]);
        indices->TotalTensorSizeInBytes.ShouldBe(24ul);
        var t = Array.FindIndex(nodes, n => n.Op is TakeAlongAxisOp);
        built.OperatorDesc(t)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_GATHER_ELEMENTS);
        ((DML_GATHER_ELEMENTS_OPERATOR_DESC*)built.OperatorDesc(t)->Desc)->Axis.ShouldBe(3u);
    }

    [Fact]
    public void The_interpreter_rejects_an_index_out_of_range()
    {
        var feeds = Feeds();
        feeds["rows"] = [3, 0, 4];
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray()))
            .Message.ShouldContain("outside axis");
    }
}
