namespace Dsl.Passes;

/// <summary>Last use of every value, so a backend can free intermediates as early as possible.</summary>
public static class Liveness
{
    /// <summary>Marks values that must outlive the node sequence (outputs, updates, persistent values).</summary>
    public const int Forever = int.MaxValue;

    /// <summary>
    /// For each value id: the index of the last node reading it, <see cref="Forever"/> for graph
    /// results and persistent values, or -1 when nothing reads it.
    /// </summary>
    public static int[] LastUse(Graph graph)
    {
        var last = new int[graph.Values.Count];
        Array.Fill(last, -1);
        foreach (var node in graph.Nodes)
            foreach (var i in node.Inputs) last[i.Id] = node.Index;
        foreach (var o in graph.Outputs) last[o.Value.Id] = Forever;
        foreach (var u in graph.Updates) last[u.Value.Id] = Forever;
        foreach (var v in graph.Persistent) last[v.Id] = Forever;
        return last;
    }
}
