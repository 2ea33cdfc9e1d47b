using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 3 of the DirectML lowering: Greater and Equal as two nodes each, a logical compare into
/// a UINT8 tensor and a CAST back to float32, compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderCompareTests
{
    static readonly Shape XShape = new(3, 5);
    static readonly Shape BShape = new(5);

    static Graph Build()
    {
        var g = new Graph("compare");
        var x = g.Input("x", XShape);
        var b = g.Input("b", BShape);
        g.Output("gt", Ops.Greater(x, b));                     // b broadcast by zero strides
        g.Output("eq", Ops.Equal(x, b));
        g.Output("mask", Ops.Greater(b, x) * x);               // the cast output feeds a multiply
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        // Small integers, so that equal values occur.
        var random = new System.Random(9);
        var x = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)random.Next(-2, 3)).ToArray();
        var b = Enumerable.Range(0, (int)BShape.Numel).Select(_ => (float)random.Next(-2, 3)).ToArray();
        b.CopyTo(x, 5);                                        // row 1 equals b
        return new Dictionary<string, float[]> { ["x"] = x, ["b"] = b };
    }

    [Fact]
    public void Greater_and_equal_through_the_native_graph_match_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.F32(XShape, feeds["x"]),
            ["b"] = HostTensor.F32(BShape, feeds["b"]),
        });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 0, atol: 0);
        outputs[1].ShouldContain(1f);
        outputs[1].ShouldContain(0f);
    }

    [Fact]
    public void A_compare_is_a_logical_operator_into_uint8_then_a_cast()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var nodes = built.Nodes.ToArray();
        var gt = Array.FindIndex(nodes, n => n.Op is GreaterOp);
        built.OperatorDesc(gt)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN);
        built.OperatorDesc(gt + 1)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_CAST);
        nodes[gt + 1].Op.ShouldBeOfType<GreaterOp>();
        var compare = (DML_ELEMENT_WISE_LOGICAL_GREATER_THAN_OPERATOR_DESC*)built.OperatorDesc(gt)->Desc;
        var mask = (DML_BUFFER_TENSOR_DESC*)compare->OutputTensor->Desc;
        mask->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
        mask->TotalTensorSizeInBytes.ShouldBe(16ul);                   // 15 bytes, rounded up to 4
        new ReadOnlySpan<uint>(((DML_BUFFER_TENSOR_DESC*)compare->BTensor->Desc)->Strides, 4).ToArray().ShouldBe([0u, 0u, 0u, 1u]);
        var cast = (DML_CAST_OPERATOR_DESC*)built.OperatorDesc(gt + 1)->Desc;
        ((DML_BUFFER_TENSOR_DESC*)cast->InputTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
        ((DML_BUFFER_TENSOR_DESC*)cast->OutputTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32);
        var eq = Array.FindIndex(nodes, n => n.Op is EqualOp);
        built.OperatorDesc(eq)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS);
    }

    [Fact]
    public void The_interpreter_rejects_a_logical_operator_writing_float32()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var gt = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is GreaterOp);
        var compare = (DML_ELEMENT_WISE_LOGICAL_GREATER_THAN_OPERATOR_DESC*)built.OperatorDesc(gt)->Desc;
        var mask = (DML_BUFFER_TENSOR_DESC*)compare->OutputTensor->Desc;
        mask->DataType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32;
        mask->TotalTensorSizeInBytes = 15 * 4;
        Should.Throw<InvalidOperationException>(() => DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray()))
            .Message.ShouldContain("data types");
    }
}
