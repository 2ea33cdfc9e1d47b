using Dsl.Operators;
namespace Dsl.Bench.Measure;

/// <summary>
/// Floating-point operations of one run of a step graph, counted from its nodes: 2·M·N·K per
/// matrix product, 2·(output elements)·(input channels)·k² per convolution and per each of its two
/// gradients, one per element for everything else that computes (element-wise, reductions and
/// normalisations: the largest operand's elements), none for layout, indexing and creation.
/// </summary>
static class FlopCount
{
    /// <summary>Total and dense (matmul and convolution) operations of one run.</summary>
    public static (double Total, double Dense) Of(Graph graph)
    {
        double total = 0, dense = 0;
        foreach (var node in graph.Nodes)
        {
            var (flops, isDense) = Of(node);
            total += flops;
            if (isDense) dense += flops;
        }
        return (total, dense);
    }

    static (double Flops, bool Dense) Of(Node node) => node.Op switch
    {
        MatMulOp m => (2.0 * node.Output.Shape.Numel * (m.TransposeA ? node.Inputs[0].Shape[-2] : node.Inputs[0].Shape[-1]), true),
        // Every convolution pass multiplies each (output position, output channel) by C·k·k weights.
        Conv2dOp => (2.0 * node.Output.Shape.Numel * KernelVolume(node.Inputs[1].Shape), true),
        Conv2dInputGradOp => (2.0 * node.Inputs[0].Shape.Numel * KernelVolume(node.Inputs[1].Shape), true),
        Conv2dWeightGradOp g => (2.0 * node.Inputs[1].Shape.Numel * KernelVolume(g.WeightShape), true),
        ReshapeOp or ExpandOp or PermuteOp or SliceOp or SliceGradOp or ConcatOp or CastOp or ConstantOp or FullOp
            or StopGradientOp or GatherOp or TakeAlongAxisOp or RandomOp => (0, false),
        _ => (node.Inputs.Concat(node.Outputs).Select(t => (double)t.Shape.Numel).DefaultIfEmpty(0).Max(), false),
    };

    /// <summary>C·kh·kw of a [O, C, kh, kw] weight.</summary>
    static double KernelVolume(Shape weight) => (double)weight[1] * weight[2] * weight[3];
}
