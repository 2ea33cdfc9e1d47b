using Dsl.Backend.Torch.Lowering;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// One forward node whose gradient nodes run through libtorch's native backward: the forward is
/// recorded by autograd, and the gradient nodes share one <c>torch.autograd.grad</c> call.
/// </summary>
/// <param name="Forward">The forward node (recorded).</param>
/// <param name="Kernels">Replacement kernels by node (the forward and each gradient node).</param>
/// <param name="FirstGradient">Index of the gradient node that runs first: autograd holds the forward's inputs until then.</param>
/// <param name="SavesOutputs">True when autograd saves the forward's outputs (softmax): they must not be overwritten in place.</param>
internal sealed record NativeBackwardGroup(Node Forward, IReadOnlyDictionary<Node, Kernel> Kernels, int FirstGradient, bool SavesOutputs = false);

/// <summary>The native-backward fusions Backend.Torch applies to a graph, one file each in <c>Plan/</c>.</summary>
internal static class NativeBackward
{
    /// <summary>Every fusion: each finds its forward/gradient node groups in a graph.</summary>
    static readonly Func<Graph, IEnumerable<NativeBackwardGroup>>[] Fusions =
    [
        NativeConvolutionBackward.FindGroups,
        NativeNormalizationBackward.FindGroups,
        NativeActivationBackward.FindGroups,
        NativeAttentionBackward.FindGroups,
    ];

    /// <summary>
    /// Replaces the kernels of every fused group, extends the lifetimes autograd needs and pins
    /// (against in-place writes) the values autograd saves; returns the group count.
    /// </summary>
    public static int Apply(Graph graph, Kernel[] kernels, int[] lastUse, ISet<int> pinned)
    {
        int count = 0;
        foreach (var find in Fusions)
            foreach (var group in find(graph))
            {
                foreach (var (node, kernel) in group.Kernels) kernels[node.Index] = kernel;
                foreach (var v in group.Forward.Inputs)
                {
                    lastUse[v.Id] = Math.Max(lastUse[v.Id], group.FirstGradient);
                    pinned.Add(v.Id);
                }
                if (group.SavesOutputs)
                    foreach (var o in group.Forward.Outputs) pinned.Add(o.Id);
                count++;
            }
        return count;
    }
}
