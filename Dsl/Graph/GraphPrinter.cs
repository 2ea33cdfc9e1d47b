using System.Text;

namespace Dsl;

/// <summary>
/// Prints a graph as stable text for snapshots and debugging. Intermediate values are renumbered
/// in order of appearance, so the text depends only on the graph's structure.
/// </summary>
public static class GraphPrinter
{
    /// <summary>The printed graph.</summary>
    public static string Print(Graph graph)
    {
        var names = new Dictionary<int, string>();
        string Ref(Tensor t) => names.TryGetValue(t.Id, out var n) ? n : "%" + t.Name;
        int counter = 0;
        var sb = new StringBuilder();
        sb.Append("graph ").Append(graph.Name).Append(" {\n");
        foreach (var v in graph.Values.Where(v => v.Kind != ValueKind.Intermediate))
            sb.Append("  ").Append(v.Kind.ToString().ToLowerInvariant()).Append(' ').Append(Ref(v)).Append(": ").Append(v.Type).Append('\n');
        foreach (var node in graph.Nodes)
        {
            foreach (var o in node.Outputs) names[o.Id] = "%t" + counter++;
            sb.Append("  ").Append(string.Join(", ", node.Outputs.Select(Ref))).Append(" = ").Append(node.Op.Describe())
              .Append('(').Append(string.Join(", ", node.Inputs.Select(Ref))).Append(") : ")
              .Append(string.Join(", ", node.Outputs.Select(o => o.Type.ToString())));
            if (node.Scope.Length > 0) sb.Append("  # ").Append(node.Scope);
            sb.Append('\n');
        }
        foreach (var o in graph.Outputs) sb.Append("  output ").Append(o.Name).Append(" = ").Append(Ref(o.Value)).Append('\n');
        foreach (var u in graph.Updates) sb.Append("  update ").Append(Ref(u.Target)).Append(" <- ").Append(Ref(u.Value)).Append('\n');
        sb.Append("}\n");
        return sb.ToString();
    }
}
