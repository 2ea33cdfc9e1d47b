namespace Dsl.Passes;

/// <summary>Removes nodes none of whose outputs reach a graph output or update.</summary>
public static class DeadCodeElimination
{
    /// <summary>The graph without dead nodes.</summary>
    public static Graph Run(Graph graph)
    {
        var keep = Live(graph);
        var rb = new GraphRebuilder(graph);
        foreach (var node in graph.Nodes)
            if (keep[node.Index]) rb.Copy(node);
        return rb.Finish();
    }

    /// <summary>Per node index: whether some output of the node reaches a graph output or update.</summary>
    public static bool[] Live(Graph graph) =>
        Live(graph, graph.Outputs.Select(o => o.Value).Concat(graph.Updates.Select(u => u.Value)));

    /// <summary>Per node index: whether some output of the node reaches one of <paramref name="roots"/> (values of <paramref name="graph"/>).</summary>
    public static bool[] Live(Graph graph, IEnumerable<Tensor> roots)
    {
        var live = new HashSet<int>(roots.Select(v => v.Id));
        var keep = new bool[graph.Nodes.Count];
        for (int n = graph.Nodes.Count - 1; n >= 0; n--)
        {
            var node = graph.Nodes[n];
            if (!node.Outputs.Any(o => live.Contains(o.Id))) continue;
            keep[n] = true;
            foreach (var i in node.Inputs) live.Add(i.Id);
        }
        return keep;
    }
}
