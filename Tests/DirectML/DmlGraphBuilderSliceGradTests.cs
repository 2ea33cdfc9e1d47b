using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.DirectML.Reference;
using Dsl.Tests.Support;

namespace Dsl.Tests.DirectML;

/// <summary>
/// Slice 4 of the DirectML lowering: SliceGrad as SLICE_GRAD (zeros, dy written into the
/// forward's window), executed by the reference interpreter and compared with Backend.Torch.
/// </summary>
public unsafe class DmlGraphBuilderSliceGradTests
{
    static readonly Shape DyShape = new(2, 3, 4);

    static Graph Build()
    {
        var g = new Graph("slice_grad");
        var dy = g.Input("dy", DyShape);
        g.Output("strided", Ops.SliceGrad(dy, new Shape(2, 8, 4), axis: 1, start: 1, step: 3));
        g.Output("last", Ops.SliceGrad(Ops.Exp(dy), new Shape(2, 3, 9), axis: 2, start: 5));
        return g;
    }

    [Fact]
    public void SliceGrad_through_the_native_graph_matches_Torch()
    {
        var random = new System.Random(61);
        var feeds = new Dictionary<string, float[]> { ["dy"] = Enumerable.Range(0, (int)DyShape.Numel).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray() };
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var outputs = DmlGraphInterpreter.Execute(built.Desc, operators, built.Inputs.Select(v => feeds[v.Name!]).ToArray());

        using var compiled = new TorchBackend().Compile(Build());
        var expected = compiled.Run(new Dictionary<string, HostTensor> { ["dy"] = HostTensor.F32(DyShape, feeds["dy"]) });
        TorchComparison.AssertOutputsMatch(built, outputs, expected, rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void SliceGrad_window_covers_the_strided_slice()
    {
        using var operators = new ReferenceOperators();
        using var built = DmlGraphBuilder.Build(Build(), operators.Create);
        var first = Array.FindIndex(built.Nodes.ToArray(), n => n.Op is SliceGradOp);
        var op = built.OperatorDesc(first);
        op->Type.ShouldBe(DML_OPERATOR_TYPE.DML_OPERATOR_SLICE_GRAD);
        var d = (DML_SLICE_GRAD_OPERATOR_DESC*)op->Desc;
        new ReadOnlySpan<uint>(d->InputWindowOffsets, 4).ToArray().ShouldBe([0u, 0u, 1u, 0u]);
        new ReadOnlySpan<uint>(d->InputWindowSizes, 4).ToArray().ShouldBe([1u, 2u, 7u, 4u]);
        new ReadOnlySpan<int>(d->InputWindowStrides, 4).ToArray().ShouldBe([1, 1, 3, 1]);
    }
}
