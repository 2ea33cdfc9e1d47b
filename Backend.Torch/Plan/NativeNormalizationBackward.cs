using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// Layer and batch norm gradients through libtorch's native backward kernels
/// (<c>native_layer_norm_backward</c>, <c>native_batch_norm_backward</c>), which TorchSharp does not
/// bind: each <c>layer_norm</c> / <c>batch_norm</c> node is recorded by autograd and the
/// <c>layer_norm_grad</c> / <c>batch_norm_grad</c> node of the same x, weight and statistics gets
/// dx, dγ and dβ from one <c>torch.autograd.grad</c> call (see <see cref="RecordedForward"/>).
/// </summary>
/// <remarks>
/// libtorch's backward uses the statistics it saved, equal to the node's outputs up to rounding.
/// The forward computes those outputs only when something besides the gradient node reads them.
/// </remarks>
internal static class NativeNormalizationBackward
{
    /// <summary>Each layer/batch norm with the first later gradient node reading its x, weight and statistics.</summary>
    public static IEnumerable<NativeBackwardGroup> FindGroups(Graph graph)
    {
        var gradients = graph.Nodes.Where(n => n.Op is LayerNormGradOp or BatchNormGradOp).ToLookup(n => n.Inputs[3].Id);
        foreach (var forward in graph.Nodes.Where(n => n.Op is LayerNormOp or BatchNormOp))
        {
            bool Pairs(Node g) => g.Index > forward.Index && g.Inputs[1] == forward.Inputs[0] && g.Inputs[2] == forward.Inputs[1]
                && g.Inputs[4] == forward.Outputs[2] && (forward.Op, g.Op) switch
                {
                    (LayerNormOp, LayerNormGradOp) => true,
                    (BatchNormOp bn, BatchNormGradOp bg) => bn.Eps == bg.Eps,
                    _ => false,
                };
            if (gradients[forward.Outputs[1].Id].FirstOrDefault(Pairs) is not { } gradient) continue;
            bool statisticsRead = forward.Outputs.Skip(1).Any(s => RecordedForward.ReadElsewhere(graph, s, gradient));
            yield return forward.Op is LayerNormOp
                ? RecordedForward.Group(forward, gradient, (op, x) => [KernelTable.LayerNorm((LayerNormOp)op, x)],
                    statisticsRead ? (op, x) => KernelTable.LayerNormStatistics((LayerNormOp)op, x[0]) : null)
                : RecordedForward.Group(forward, gradient, statisticsRead
                    ? (op, x) => KernelTable.BatchNormWithStatistics((BatchNormOp)op, x)
                    : (op, x) => [KernelTable.BatchNorm((BatchNormOp)op, x)]);
        }
    }
}
