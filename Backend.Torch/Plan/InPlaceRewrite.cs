using Dsl.Backend.Torch.Lowering;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// Chooses the nodes that may write their result into a dying input (<c>relu_</c>, <c>add_</c> …):
/// the input is read last by that node, has the result's type, is an intermediate made by an op
/// that allocates fresh storage, and no view of it exists. Saves an allocation and a memory pass,
/// and lowers the peak, which eager code cannot do for tensors autograd keeps.
/// </summary>
internal static class InPlaceRewrite
{
    /// <summary>Per node index: the input it overwrites and the kernel, or null.</summary>
    public static (int Input, InPlaceKernel Kernel)?[] Choose(Graph graph, int[] lastUse, ISet<int> pinned)
    {
        var consumers = new List<Node>[graph.Values.Count];
        foreach (var node in graph.Nodes)
            foreach (var v in node.Inputs) (consumers[v.Id] ??= []).Add(node);
        var chosen = new (int, InPlaceKernel)?[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Outputs.Count != 1) continue;
            for (int i = 0; i < node.Inputs.Count && chosen[node.Index] is null; i++)
            {
                var v = node.Inputs[i];
                if (KernelTable.InPlaceFor(node.Op, i) is not { } kernel) continue;
                if (v.Type != node.Output.Type || lastUse[v.Id] != node.Index || pinned.Contains(v.Id)) continue;
                if (v.Kind != ValueKind.Intermediate || v.Producer is null || !AllocatesFresh(v.Producer.Op)) continue;
                if (node.Inputs.Count(x => x.Id == v.Id) > 1) continue;
                if (consumers[v.Id].Any(c => c != node && MayView(c.Op))) continue;
                chosen[node.Index] = (i, kernel);
            }
        }
        return chosen;
    }

    /// <summary>Ops whose Torch kernels always return new storage.</summary>
    static bool AllocatesFresh(Op op) => op is UnaryOp or BinaryOp or ReluGradOp or MatMulOp or Conv2dOp or Conv2dInputGradOp or Conv2dWeightGradOp;

    /// <summary>Ops whose Torch kernels may return a view of their input.</summary>
    static bool MayView(Op op) => op is ReshapeOp or ExpandOp or PermuteOp or SliceOp or StopGradientOp or CastOp;
}
