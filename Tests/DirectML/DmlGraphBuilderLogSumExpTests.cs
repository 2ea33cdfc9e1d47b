using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 4 of the DirectML lowering: LogSumExp over one axis as REDUCE with LOG_SUM_EXP (the
/// reduced dimension kept as 1, so keepDims false and true share one buffer), executed by the
/// reference interpreter and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderLogSumExpTests
{
    static readonly Shape XShape = new(2, 3, 5);

    static Graph Build()
    {
        var g = new Graph("logsumexp");
        var x = g.Input("x", XShape);
        g.Output("last", Ops.LogSumExp(x));
        g.Output("middle", Ops.LogSumExp(x * x, axis: 1, keepDims: true));
        g.Output("first", Ops.LogSumExp(x, axis: 0) + Ops.LogSumExp(x, axis: 0));
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(53);
        return new Dictionary<string, float[]>
        {
            ["x"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)(random.NextDouble() * 20 - 10)).ToArray(),
        };
    }

    [Fact]
    public void LogSumExp_through_the_native_graph_matches_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(XShape, feeds["x"]) });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-5);
    }

    [Fact]
    public void LogSumExp_is_a_log_sum_exp_reduce_over_the_padded_axis()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var first = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is LogSumExpOp);
        var op = built.OperatorDesc(first);
        op->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_REDUCE);
        var d = (DML_REDUCE_OPERATOR_DESC*)op->Desc;
        d->Function.ShouldBe(DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_LOG_SUM_EXP);
        new ReadOnlySpan<uint>(d->Axes, (int)d->AxisCount).ToArray().ShouldBe([3u]);
        var output = (DML_BUFFER_TENSOR_DESC*)d->OutputTensor->Desc;
        new ReadOnlySpan<uint>(output->Sizes, 4).ToArray().ShouldBe([1u, 2u, 3u, 1u]);
    }
}
