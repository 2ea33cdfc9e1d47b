using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// Chooses the nodes that may write their result into a dying input (<c>relu_</c>, <c>add_</c> …):
/// the input is read last by that node, has the result's type, no view of it exists, and it is
/// either an intermediate made by an op that allocates fresh storage or optimizer state that the
/// step replaces (an <see cref="Graph.Updates"/> target read by nothing later): the moments then
/// advance in their own buffers, as eager optimizers do, and their update copy is skipped. Saves
/// an allocation and a memory pass, and lowers the peak, which eager code cannot do for tensors
/// autograd keeps.
/// </summary>
/// <remarks>A run that fails part-way may leave such state half advanced; checkpoints are the recovery path.</remarks>
internal static class InPlaceRewrite
{
    /// <summary>Per node index: the input it overwrites and the kernel, or null.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="lastUse">Per value, the last node reading it (Liveness.LastUse).</param>
    /// <param name="pinned">Values never to overwrite (constants, values autograd saves).</param>
    /// <param name="onlyInput">Nodes that may write into one input only (a fused add's addend), by node.</param>
    public static (int Input, InPlaceKernel Kernel)?[] Choose(Graph graph, int[] lastUse, ISet<int> pinned, IReadOnlyDictionary<Node, int>? onlyInput = null)
    {
        var consumers = new List<Node>[graph.Values.Count];
        foreach (var node in graph.Nodes)
            foreach (var v in node.Inputs) (consumers[v.Id] ??= []).Add(node);
        var lastRead = new int[graph.Values.Count];
        foreach (var node in graph.Nodes)
            foreach (var v in node.Inputs) lastRead[v.Id] = node.Index;
        var replacedState = graph.Updates.Select(u => u.Target).Where(t => t.Kind == ValueKind.State).Select(t => t.Id).ToHashSet();
        foreach (var u in graph.Updates) replacedState.Remove(u.Value.Id);
        foreach (var o in graph.Outputs) replacedState.Remove(o.Value.Id);
        bool Dies(Tensor v, Node node) => v.Kind == ValueKind.Intermediate
            ? lastUse[v.Id] == node.Index && v.Producer is not null && AllocatesFresh(v.Producer.Op)
            : replacedState.Contains(v.Id) && lastRead[v.Id] == node.Index;

        var chosen = new (int, InPlaceKernel)?[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            if (node.Outputs.Count != 1) continue;
            for (int i = 0; i < node.Inputs.Count && chosen[node.Index] is null; i++)
            {
                var v = node.Inputs[i];
                if (KernelTable.InPlaceFor(node.Op, i) is not { } kernel) continue;
                if (onlyInput is not null && onlyInput.TryGetValue(node, out int only) && only != i) continue;
                if (v.Type != node.Output.Type || pinned.Contains(v.Id) || !Dies(v, node)) continue;
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
