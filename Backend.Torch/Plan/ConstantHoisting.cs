using Dsl.Operators;
namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// Finds the nodes whose results are the same on every run (fills, embedded constants, and
/// deterministic ops on them only), so the plan computes them once at compile instead of every
/// step. Large results other than embedded constants stay per step, so hoisting never raises the
/// memory held between steps much.
/// </summary>
internal static class ConstantHoisting
{
    /// <summary>Largest hoisted result, in elements (256 KiB of f32).</summary>
    public const long MaxElements = 1 << 16;

    /// <summary>The hoistable nodes, in graph order.</summary>
    public static List<Node> Find(Graph graph)
    {
        var constant = new bool[graph.Values.Count];
        var hoisted = new List<Node>();
        foreach (var node in graph.Nodes)
        {
            if (node.Op.IsRandom || !node.Inputs.All(i => constant[i.Id])) continue;
            // Embedded constants (masks, segment ids) are held in host memory by the graph anyway.
            if (node.Op is not ConstantOp && node.Outputs.Any(o => o.Shape.Numel > MaxElements)) continue;
            foreach (var o in node.Outputs) constant[o.Id] = true;
            hoisted.Add(node);
        }
        return hoisted;
    }
}
