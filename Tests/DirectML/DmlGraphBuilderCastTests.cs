using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 3 of the DirectML lowering: Cast between float32 and int64 (the IR's integer type) as
/// one CAST node, compared with Backend.Torch (truncation toward zero).
/// </summary>
public unsafe class DmlGraphBuilderCastTests
{
    static readonly Shape XShape = new(3, 4);

    static Graph Build()
    {
        var g = new Graph("cast");
        var x = g.Input("x", XShape);
        var k = g.Input("k", XShape, DType.Int64);
        var i = Ops.Cast(x, DType.Int64);
        g.Output("i", i);                                            // an int64 graph output
        g.Output("r", Ops.Cast(i, DType.Float32) - x);               // minus the fraction
        g.Output("m", Ops.Cast(k, DType.Float32) * x);               // an int64 graph input
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(3);
        return new Dictionary<string, float[]>
        {
            ["x"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray(),
            ["k"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)random.Next(-100, 100)).ToArray(),
        };
    }

    [Fact]
    public void Cast_through_the_native_graph_matches_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.F32(XShape, feeds["x"]),
            ["k"] = HostTensor.I64(XShape, feeds["k"].Select(v => (long)v).ToArray()),
        });
        expected["i"].DType.ShouldBe(DType.Int64);
        outputs[0].Select(v => (double)v).ToArray().ShouldBe(expected["i"].ToDoubles());
        Close.Assert(HostTensor.F32(XShape, outputs[1]), expected["r"], rtol: 1e-6, atol: 1e-6, "r");
        Close.Assert(HostTensor.F32(XShape, outputs[2]), expected["m"], rtol: 1e-6, atol: 1e-6, "m");
    }

    [Fact]
    public void Cast_is_one_node_with_the_data_types_of_both_sides()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var first = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is CastOp);
        built.OperatorDesc(first)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_CAST);
        var cast = (DML_CAST_OPERATOR_DESC*)built.OperatorDesc(first)->Desc;
        ((DML_BUFFER_TENSOR_DESC*)cast->InputTensor->Desc)->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32);
        var output = (DML_BUFFER_TENSOR_DESC*)cast->OutputTensor->Desc;
        output->DataType.ShouldBe(DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64);
        output->TotalTensorSizeInBytes.ShouldBe(12ul * 8);
    }

    [Fact]
    public void Int64_outside_a_cast_is_refused_clearly()
    {
        var g = new Graph("int64-add");
        var k = g.Input("k", XShape, DType.Int64);
        g.Output("y", k + k);
        using var operators = new ReferenceOperators();
        Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create)).Message.ShouldContain("float32 only");
    }
}
