using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 3 of the DirectML lowering: Softmax and LogSoftmax over the last axis as
/// ACTIVATION_SOFTMAX / ACTIVATION_LOG_SOFTMAX on a [1, 1, rows, last] view, executed by the
/// reference interpreter from the native description and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderSoftmaxTests
{
    static readonly Shape XShape = new(2, 3, 5);

    static Graph Build()
    {
        var g = new Graph("softmax");
        var x = g.Input("x", XShape);
        var y = g.Input("y", new Shape(4, 7));
        g.Output("p", Ops.Softmax(x));                       // rank 3: rows = 6
        g.Output("lp", Ops.LogSoftmax(y * y, axis: -1));     // 2-D, after a multiply
        g.Output("s", Ops.Softmax(Ops.LogSoftmax(x)) + x);   // chained
        return g;
    }

    static Dictionary<string, float[]> Feeds()
    {
        var random = new System.Random(77);
        return new Dictionary<string, float[]>
        {
            ["x"] = Enumerable.Range(0, (int)XShape.Numel).Select(_ => (float)(random.NextDouble() * 8 - 4)).ToArray(),
            ["y"] = Enumerable.Range(0, 28).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray(),
        };
    }

    [Fact]
    public void Softmax_and_log_softmax_through_the_native_graph_match_Torch()
    {
        var feeds = Feeds();
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        built.Inputs.Select(v => v.Name).ShouldBe(["x", "y"]);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.F32(XShape, feeds["x"]),
            ["y"] = HostTensor.F32(new Shape(4, 7), feeds["y"]),
        });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void Softmax_is_described_as_an_effective_rank_2_view()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var first = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is SoftmaxOp);
        var op = built.OperatorDesc(first);
        op->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_SOFTMAX);
        var d = (DML_ACTIVATION_SOFTMAX_OPERATOR_DESC*)op->Desc;
        var input = (DML_BUFFER_TENSOR_DESC*)d->InputTensor->Desc;
        new ReadOnlySpan<uint>(input->Sizes, 4).ToArray().ShouldBe([1u, 1u, 6u, 5u]);
        (input->Strides == null).ShouldBeTrue();
        input->TotalTensorSizeInBytes.ShouldBe(30ul * 4);
        var log = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is LogSoftmaxOp);
        built.OperatorDesc(log)->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_ACTIVATION_LOG_SOFTMAX);
    }

    [Fact]
    public void Softmax_over_another_axis_is_refused_clearly()
    {
        var g = new Graph("softmax-axis0");
        g.Output("p", Ops.Softmax(g.Input("x", new Shape(3, 4)), axis: 0));
        using var operators = new ReferenceOperators();
        Should.Throw<NotSupportedException>(() => DmlGraphBuilder.Build(g, operators.Create)).Message.ShouldContain("last axis only");
    }
}
