using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// Attention gradients through libtorch's fused attention backward: each <c>attention</c> node is
/// recorded by autograd and the <c>attention_grad</c> node of the same q, k, v and scale gets dq, dk
/// and dv from one <c>torch.autograd.grad</c> call (see <see cref="RecordedForward"/>), without
/// computing the forward again. Autograd saves the output (and the row log-sum-exps) for it.
/// </summary>
internal static class NativeAttentionBackward
{
    /// <summary>Each attention with the first later gradient node of the same inputs and scale.</summary>
    public static IEnumerable<NativeBackwardGroup> FindGroups(Graph graph)
    {
        var gradients = graph.Nodes.Where(n => n.Op is AttentionGradOp).ToLookup(n => n.Inputs[1].Id);
        var used = new HashSet<Node>();
        foreach (var forward in graph.Nodes.Where(n => n.Op is AttentionOp))
        {
            bool Pairs(Node g) => g.Index > forward.Index && !used.Contains(g) && ((AttentionGradOp)g.Op).Scale == ((AttentionOp)forward.Op).Scale
                && g.Inputs.Skip(1).SequenceEqual(forward.Inputs);
            if (gradients[forward.Inputs[0].Id].FirstOrDefault(Pairs) is not { } gradient) continue;
            used.Add(gradient);
            yield return RecordedForward.Group(forward, gradient, (op, x) => [KernelTable.Attention((AttentionOp)op, x)], savesOutput: true);
        }
    }
}
