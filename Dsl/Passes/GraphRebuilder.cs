namespace Dsl.Passes;

/// <summary>
/// Rebuilds a graph node by node into a fresh one: passes decide per node whether to copy it,
/// replace its outputs with other values, or drop it. Declarations, outputs and updates carry over.
/// </summary>
internal sealed class GraphRebuilder
{
    readonly Dictionary<int, Tensor> map = [];

    public GraphRebuilder(Graph source)
    {
        Source = source;
        Target = new Graph(source.Name);
        foreach (var v in source.Values.Where(v => v.Kind != ValueKind.Intermediate))
            map[v.Id] = Target.DeclareLike(v);
    }

    public Graph Source { get; }
    public Graph Target { get; }

    /// <summary>The new value standing for a source value.</summary>
    public Tensor this[Tensor source] => map[source.Id];

    /// <summary>The node's inputs mapped into the target graph.</summary>
    public Tensor[] Inputs(Node node) => node.Inputs.Select(i => map[i.Id]).ToArray();

    /// <summary>Copies a node as is.</summary>
    public void Copy(Node node)
    {
        var outs = Target.CopyNode(node, Inputs(node));
        for (int k = 0; k < outs.Count; k++) map[node.Outputs[k].Id] = outs[k];
    }

    /// <summary>Makes a source value stand for an existing target value.</summary>
    public void Replace(Tensor source, Tensor target) => map[source.Id] = target;

    /// <summary>True if the source value has been mapped (its node was kept or replaced).</summary>
    public bool Has(Tensor source) => map.ContainsKey(source.Id);

    /// <summary>Finishes: re-attaches outputs and updates.</summary>
    public Graph Finish()
    {
        foreach (var o in Source.Outputs) Target.Output(o.Name, map[o.Value.Id]);
        foreach (var u in Source.Updates) Target.Update(map[u.Target.Id], map[u.Value.Id]);
        return Target;
    }
}
