using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// A <see cref="DecomposableOp"/> DirectML has no operator for (the backward ops of GELU,
    /// softmax, layer and batch norm) as its decomposition: the ops
    /// <see cref="DecomposableOp.Decompose"/> appends to a scratch graph over the node's inputs, each
    /// lowered as any node is (<see cref="LowerParts"/>), only those the node's read outputs need.
    /// </summary>
    static DmlLowering LowerDecomposition(DmlNativeArena arena, Node node, DecomposableOp op, IReadOnlySet<Tensor> read, DML_FEATURE_LEVEL featureLevel)
    {
        var (inputs, outputs) = Decompose(node, op);
        var wanted = outputs.Where((_, k) => read.Contains(node.Outputs[k])).Select(Source).ToArray();
        var nodes = Needed(wanted);
        var innerRead = nodes.SelectMany(n => n.Inputs).Concat(wanted).Select(Source).ToHashSet();
        var parts = new List<DmlPart>();
        // Where each scratch value is read from in this node's lowering.
        var at = inputs.Select((v, j) => (v, r: DmlRead.Input(j))).ToDictionary(p => p.v, p => p.r);
        foreach (var n in nodes.Where(n => !IsAlias(n)))
        {
            var lowering = LowerParts(arena, n, innerRead, featureLevel);
            var offset = parts.Count;
            foreach (var part in lowering.Parts)
                parts.Add(part with { Inputs = [.. part.Inputs.Select(r => r.Part < 0 ? at[Source(n.Inputs[r.Index])] : r with { Part = offset + r.Part })] });
            for (var k = 0; k < n.Outputs.Count; k++)
                at[n.Outputs[k]] = lowering.Outputs[k] with { Part = offset + lowering.Outputs[k].Part };
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
            parts.Add(Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, shape), shape, null), result[k]));
            result[k] = new DmlRead(parts.Count - 1, 0);
        }
        // Outputs nothing reads get no edge: any part stands for them.
        return new DmlLowering([.. parts], [.. result.Select(r => r.Part >= 0 ? r : new DmlRead(0, 0))]);
    }

    /// <summary>The decomposition of a node's op in a scratch graph: the graph's inputs standing for the node's, and the op's outputs.</summary>
    static (Tensor[] Inputs, Tensor[] Outputs) Decompose(Node node, DecomposableOp op)
    {
        var g = new Graph(node.Op.Name);
        var inputs = node.Inputs.Select((v, j) => g.Input($"in{j}", v.Shape, v.DType)).ToArray();
        return (inputs, op.Decompose(inputs));
    }

    /// <summary>The scratch nodes the given values depend on, in order.</summary>
    static Node[] Needed(IEnumerable<Tensor> values)
    {
        var live = new HashSet<Node>();
        var pending = new Stack<Node>(values.Select(v => v.Producer).OfType<Node>());
        while (pending.TryPop(out var n))
        {
            if (!live.Add(n))
                continue;
            foreach (var input in n.Inputs)
            {
                if (input.Producer is { } p)
                    pending.Push(p);
            }
        }
        return [.. live.OrderBy(n => n.Index)];
    }

    /// <summary>Refuses a decomposable node whose decomposition has an op, dtype or rank the builder does not lower.</summary>
    static void CheckDecomposition(Node node, DecomposableOp op)
    {
        var (_, outputs) = Decompose(node, op);
        foreach (var n in Needed(outputs))
        {
            if (n.Op is ConstantOp)
                throw new NotSupportedException($"The DirectML graph builder does not lower constants inside a decomposition; {node.Op.Describe()} at {Where(node)}.");
            Check(n);
        }
    }
}
