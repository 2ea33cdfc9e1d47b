using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using Dsl.Passes;

namespace Dsl.Backend.DirectML.Lowering;

// Lowerings made of other nodes' lowerings: decompositions and wide broadcasts.
internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// A <see cref="DecomposableOp"/> DirectML has no operator for (the backward ops of GELU,
    /// softmax, layer and batch norm) as its decomposition: the ops
    /// <see cref="DecomposableOp.Decompose"/> appends to a scratch graph over the node's inputs, each
    /// lowered as any node is (<see cref="LowerParts"/>), only those the node's read outputs need.
    /// </summary>
    public static DmlLowering LowerDecomposition(DmlLowerContext context, Node node)
    {
        var (arena, read) = (context.Arena, context.Read);
        var (graph, inputs, outputs) = Decompose(node, (DecomposableOp)node.Op);
        var wanted = outputs.Where((_, k) => read.Contains(node.Outputs[k])).Select(Source).ToArray();
        var nodes = Needed(graph, wanted);
        var innerRead = nodes.SelectMany(n => n.Inputs).Concat(wanted).Select(Source).ToHashSet();
        var parts = new List<DmlPart>();
        // Where each scratch value is read from in this node's lowering.
        var at = inputs.Select((v, j) => (v, r: DmlRead.Input(j))).ToDictionary(p => p.v, p => p.r);
        foreach (var n in nodes.Where(n => !IsAlias(n)))
        {
            var outs = LowerParts(arena, n, innerRead, context.FeatureLevel).AppendTo(parts, [.. n.Inputs.Select(v => at[Source(v)])]);
            for (var k = 0; k < n.Outputs.Count; k++)
                at[n.Outputs[k]] = outs[k];
        }
        var result = new DmlRead[node.Outputs.Count];
        for (var k = 0; k < result.Length; k++)
        {
            if (!read.Contains(node.Outputs[k]))
                continue;
            result[k] = at[Source(outputs[k])];
            if (result[k].Part >= 0)
                continue;
            // The output is one of the inputs (e.g. a bias gradient that sums nothing): a copy.
            var shape = node.Outputs[k].Shape;
            parts.Add(DmlLoweringTable.Copy(arena, shape, result[k]));
            result[k] = new DmlRead(parts.Count - 1, 0);
        }
        // Outputs nothing reads get no edge: any part stands for them.
        return new DmlLowering([.. parts], [.. result.Select(r => r.Part >= 0 ? r : new DmlRead(0, 0))]);
    }

    /// <summary>The decomposition of a node's op in a scratch graph: the graph, its inputs standing for the node's, and the op's outputs.</summary>
    static (Graph Graph, Tensor[] Inputs, Tensor[] Outputs) Decompose(Node node, DecomposableOp op)
    {
        var g = new Graph(node.Op.Name);
        var inputs = node.Inputs.Select((v, j) => g.Input($"in{j}", v.Shape, v.DType)).ToArray();
        return (g, inputs, op.Decompose(inputs));
    }

    /// <summary>The scratch nodes the given values depend on, in order.</summary>
    static Node[] Needed(Graph graph, IEnumerable<Tensor> values)
    {
        var live = DeadCodeElimination.Live(graph, values);
        return [.. graph.Nodes.Where(n => live[n.Index])];
    }

    /// <summary>Refuses a decomposable node whose decomposition has an op, dtype or rank the builder does not lower.</summary>
    static void CheckDecomposition(Node node, DecomposableOp op)
    {
        var (graph, _, outputs) = Decompose(node, op);
        foreach (var n in Needed(graph, outputs))
        {
            if (n.Op is ConstantOp)
                throw new NotSupportedException($"The DirectML graph builder does not lower constants inside a decomposition; {node.Op.Describe()} at {Where(node)}.");
            Check(n);
        }
    }

    /// <summary>
    /// A broadcasting binary op whose merged broadcast pattern still needs more than its rank
    /// policy allows: each broadcast input first expanded to the output's shape (a chain of
    /// identity copies, <see cref="DmlLayout.ExpandChain"/>), then the op on whole, packed operands.
    /// </summary>
    static DmlLowering LowerWideBroadcast(DmlLowerContext context, DmlOpRule rule)
    {
        var node = context.Node;
        var expand = DmlLoweringTable.ByOp[typeof(ExpandOp)];
        var output = node.Output.Shape;
        var parts = new List<DmlPart>();
        var sources = new DmlRead[node.Inputs.Count];
        for (var j = 0; j < sources.Length; j++)
        {
            sources[j] = DmlRead.Input(j);
            if (node.Inputs[j].Shape.Numel == output.Numel)
                continue;
            foreach (var step in DmlLayout.ExpandChain(node, node.Inputs[j].Shape, output))
                sources[j] = expand.Lower(context, expand.Layout.Coalesce(step)[0]).AppendTo(parts, [sources[j]])[0];
        }
        var flat = new Shape(checked((int)output.Numel));
        var outputs = rule.Lower(context, DmlLayout.Scratch(node, node.Op, [flat, flat])).AppendTo(parts, sources);
        return new DmlLowering([.. parts], outputs);
    }
}
