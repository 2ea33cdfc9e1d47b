namespace Dsl;

/// <summary>
/// Which values of a graph depend on any of a set of sources (the float values forward-reachable
/// from them), answered on demand by walking back over producers, so a query costs only the nodes
/// it reaches between the sources and the value asked about.
/// </summary>
sealed class Dependence
{
    readonly HashSet<int> sources;
    // A node consumes only values that exist when it is appended, so nothing produced before the
    // earliest source's producer, and no value created before the earliest source, depends on one.
    readonly int firstNode;
    readonly int firstValue;
    readonly Dictionary<Node, bool> known = [];

    public Dependence(Graph graph, IReadOnlyList<Tensor> sources)
    {
        this.sources = [.. sources.Select(s => s.Id)];
        firstNode = sources.Count == 0 ? graph.Nodes.Count : sources.Min(s => s.Producer is null ? 0 : s.Producer.Index + 1);
        firstValue = sources.Count == 0 ? int.MaxValue : sources.Min(s => s.Id);
    }

    /// <summary>True if <paramref name="value"/> is a source or a float value computed from one.</summary>
    public bool Contains(Tensor value) =>
        sources.Contains(value.Id) || (Candidate(value) is { } producer && Depends(producer));

    /// <summary>The producer whose inputs decide whether a non-source value depends on a source, or null if it cannot.</summary>
    Node? Candidate(Tensor value) =>
        value.DType.IsFloat() && value.Id > firstValue && value.Producer is { } p && p.Index >= firstNode ? p : null;

    /// <summary>Whether any input of <paramref name="root"/> depends on a source (depth-first, without recursion).</summary>
    bool Depends(Node root)
    {
        if (known.TryGetValue(root, out var depends)) return depends;
        var stack = new Stack<(Node Node, int Input)>();
        stack.Push((root, 0));
        while (stack.TryPop(out var frame))
        {
            var (node, i) = frame;
            bool result = false, descended = false;
            for (; i < node.Inputs.Count && !result; i++)
            {
                var input = node.Inputs[i];
                if (sources.Contains(input.Id)) result = true;
                else if (Candidate(input) is { } producer)
                {
                    if (!known.TryGetValue(producer, out var d))
                    {
                        stack.Push((node, i));
                        stack.Push((producer, 0));
                        descended = true;
                        break;
                    }
                    result = d;
                }
            }
            if (descended) continue;
            known[node] = result;
            Autodiff.NodesVisited++;
        }
        return known[root];
    }
}
