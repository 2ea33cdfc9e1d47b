using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 4 of the DirectML lowering: PowScalar as one ELEMENT_WISE_CONSTANT_POW node (the
/// exponent as float32), executed by the reference interpreter and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderPowTests
{
    static readonly Shape XShape = new(2, 3, 4);

    static Graph Build()
    {
        var g = new Graph("pow");
        var x = g.Input("x", XShape);
        g.Output("sq", Ops.PowScalar(x, 2));
        g.Output("root", Ops.PowScalar(x, 0.5) + x);
        g.Output("inv", Ops.PowScalar(Ops.Exp(x), -1.5));
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(41);
        return new Dictionary<string, float[]>
        {
            ["x"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)(random.NextDouble() * 2 + 0.25)).ToArray(),
        };
    }

    [Fact]
    public void PowScalar_through_the_native_graph_matches_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(XShape, feeds["x"]) });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void PowScalar_is_one_constant_pow_node_with_the_exponent()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var first = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is PowScalarOp);
        var op = built.OperatorDesc(first);
        op->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW);
        var d = (DML_ELEMENT_WISE_CONSTANT_POW_OPERATOR_DESC*)op->Desc;
        d->Exponent.ShouldBe(2f);
        (d->ScaleBias == null).ShouldBeTrue();
    }
}
