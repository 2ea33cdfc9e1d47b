using Dsl.Operators;
namespace Dsl;

/// <summary>
/// Graph-level reverse-mode automatic differentiation: appends the backward pass to a graph by
/// applying each node's <see cref="Op.Vjp"/> in reverse topological order. This is the reference
/// the generator's compile-time AD must agree with. Its work is in proportion to the nodes between
/// the wrt values and the outputs, not to the graph: generated Backward code calls it once per op call.
/// </summary>
public static class Autodiff
{
    /// <summary>Nodes this thread's differentiations have examined (a work measure for tests).</summary>
    [ThreadStatic] internal static long NodesVisited;

    /// <summary>
    /// Gradients of <paramref name="output"/> with respect to each of <paramref name="wrt"/>,
    /// seeded with <paramref name="seed"/> (ones when null, which needs a scalar-like output).
    /// Values that do not influence the output get zero gradients. With <paramref name="wrtAreLeaves"/>,
    /// gradients do not flow through the nodes that computed the <paramref name="wrt"/> values (the
    /// VJP of one call whose operands may depend on each other).
    /// </summary>
    public static Tensor[] Gradients(Tensor output, IReadOnlyList<Tensor> wrt, Tensor? seed = null, bool wrtAreLeaves = false)
    {
        if (!output.DType.IsFloat()) throw new ArgumentException($"Cannot differentiate the integer value {output}.");
        return Gradients([(output, seed ?? Ops.OnesLike(output))], wrt, wrtAreLeaves);
    }

    /// <summary>
    /// Gradients of Σᵢ ⟨outputᵢ, seedᵢ⟩ with respect to each of <paramref name="wrt"/> (several
    /// outputs, e.g. of a multi-output op, each with its own cotangent).
    /// </summary>
    public static Tensor[] Gradients(IReadOnlyList<(Tensor Output, Tensor Seed)> seeds, IReadOnlyList<Tensor> wrt, bool wrtAreLeaves = false)
    {
        if (seeds.Count == 0) throw new ArgumentException("At least one output to differentiate is needed.");
        var graph = seeds[0].Output.Graph;
        var grads = new Dictionary<int, Tensor>();
        foreach (var (output, seed) in seeds)
        {
            if (!output.DType.IsFloat()) throw new ArgumentException($"Cannot differentiate the integer value {output}.");
            if (seed.Type != output.Type)
                throw new ShapeException($"Shape error in {(graph.CurrentScope.Length == 0 ? graph.Name : graph.CurrentScope)}: the gradient seed {seed.Type} must match the output {output.Type}.");
            grads[output.Id] = grads.TryGetValue(output.Id, out var g) ? g + seed : seed;
        }
        foreach (var w in wrt)
            if (!w.DType.IsFloat()) throw new ArgumentException($"Cannot differentiate with respect to the integer value {w}.");

        var active = new Dependence(graph, wrt);
        // Only nodes after the wrt values' producers are differentiated: after the earliest one, or
        // after the latest one when the wrt values are leaves.
        int first = wrt.Count == 0 ? 0 : wrtAreLeaves
            ? wrt.Max(w => w.Producer is null ? 0 : w.Producer.Index + 1)
            : wrt.Min(w => w.Producer is null ? 0 : w.Producer.Index + 1);
        // The nodes an output with a gradient leads to, latest first: a node's consumers come later,
        // so its outputs' gradients are complete when it is reached.
        var pending = new PriorityQueue<Node, int>();
        var queued = new HashSet<Node>();
        void Reach(Tensor value)
        {
            if (value.Producer is { } p && p.Index >= first && queued.Add(p)) pending.Enqueue(p, -p.Index);
        }
        foreach (var (output, _) in seeds) Reach(output);

        using (graph.Scope("grad"))
        {
            while (pending.TryDequeue(out var node, out _))
            {
                NodesVisited++;
                if (!node.Inputs.Any(active.Contains)) continue;
                var dys = node.Outputs.Select(o => grads.GetValueOrDefault(o.Id)).ToArray();
                var dxs = node.Op.Vjp(new VjpContext(node, dys));
                if (dxs.Length != node.Inputs.Count)
                    throw new InvalidOperationException($"VJP rule of {node.Op.Name} returned {dxs.Length} gradients for {node.Inputs.Count} inputs.");
                for (int i = 0; i < dxs.Length; i++)
                {
                    var x = node.Inputs[i];
                    var dx = dxs[i];
                    if (dx is null || !active.Contains(x) || !x.DType.IsFloat()) continue;
                    if (dx.Type != x.Type)
                        throw new InvalidOperationException($"VJP rule of {node.Op.Describe()} gave {dx.Type} for input {i} of type {x.Type}.");
                    grads[x.Id] = Vjp.Add(grads.GetValueOrDefault(x.Id), dx)!;
                    Reach(x);
                }
            }
        }
        return wrt.Select(w => grads.TryGetValue(w.Id, out var g) ? g : Ops.ZerosLike(w)).ToArray();
    }
}
