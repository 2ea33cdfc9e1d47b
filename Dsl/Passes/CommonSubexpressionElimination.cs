using Dsl.Operators;
namespace Dsl.Passes;

/// <summary>Merges nodes with the same op, attributes and inputs (random ops are never merged).</summary>
public static class CommonSubexpressionElimination
{
    /// <summary>The graph with duplicate computations merged.</summary>
    public static Graph Run(Graph graph)
    {
        var rb = new GraphRebuilder(graph);
        var seen = new Dictionary<(Op, string), Node>();
        foreach (var node in graph.Nodes)
        {
            var inputs = rb.Inputs(node);
            var key = (node.Op, string.Join(",", inputs.Select(i => i.Id)));
            if (!node.Op.IsRandom && seen.TryGetValue(key, out var twin))
            {
                for (int k = 0; k < node.Outputs.Count; k++) rb.Replace(node.Outputs[k], rb[twin.Outputs[k]]);
                continue;
            }
            rb.Copy(node);
            seen[key] = node;
        }
        return rb.Finish();
    }
}
