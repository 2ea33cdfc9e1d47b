using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// Where an operator input (or a Dsl output) is read from: <see cref="Part"/> ≥ 0 is an operator of
/// the same node's lowering (its output <see cref="Index"/>); -1 is the Dsl node's input <see cref="Index"/>.
/// </summary>
internal readonly record struct DmlRead(int Part, int Index)
{
    /// <summary>The Dsl node's input <paramref name="index"/>.</summary>
    public static DmlRead Input(int index) => new(-1, index);
}

/// <summary>One DirectML operator of a node's lowering (a <c>DML_OPERATOR_DESC*</c>) and the source of each of its inputs, in binding order.</summary>
internal readonly record struct DmlPart(nint Desc, DmlRead[] Inputs);

/// <summary>
/// A Dsl node as DirectML operators: <see cref="Parts"/> in dependency order (each reads the node's
/// inputs or earlier parts) and, per Dsl output, the part output that holds it.
/// </summary>
internal sealed record DmlLowering(DmlPart[] Parts, DmlRead[] Outputs);

internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// The lowering of one node: ReLU's gradient (its inputs bound in DirectML's order), the composite ops (layer norm, batch norm, GELU, max pooling whose
    /// indices are read, argsort, scatter/index add, the random ops) as a small graph of operators; every other op as the chain <see cref="Lower"/> gives (the first
    /// operator reads the node's inputs in order, each later one the previous one's output).
    /// Tensors of rank above 4 are first rewritten to an equivalent node of rank ≤ 4 (see
    /// <see cref="Coalesce"/>), possibly a chain of several. <paramref name="read"/>: the values
    /// something reads (outputs outside it need not be computed); <paramref name="featureLevel"/>: the
    /// device's (later single operators where it allows).
    /// </summary>
    static DmlLowering LowerParts(DmlNativeArena arena, Node node, IReadOnlySet<Tensor> read, DML_FEATURE_LEVEL featureLevel = DirectMLAvailability.MinimumLevel)
    {
        var steps = NeedsCoalescing(node) ? Coalesce(node) : [node];
        if (IsBroadcastBinary(node) && steps[0].Output.Rank > MaxDimensions(node.Op))
            return LowerWideBroadcast(arena, node);
        if (steps.Length == 1)
        {
            var n = steps[0];
            switch (n.Op)
            {
                case LayerNormOp ln:
                    return LowerLayerNorm(arena, n, ln, node.Outputs.Skip(1).Any(read.Contains));
                case BatchNormOp bn:
                    return LowerBatchNorm(arena, n, bn);
                case GeluOp:
                    return LowerGelu(arena, n, featureLevel);
                case ReluGradOp:
                    return LowerReluGrad(arena, n);
                case MaxPool2dOp mp when read.Contains(node.Outputs[1]):
                    return LowerMaxPool2dWithIndices(arena, n, mp);
                case ArgsortOp argsort:
                    return LowerArgsort(arena, n, argsort);
                case ScatterAddOp or IndexAddOp:
                    return LowerScatterAdd(arena, n);
                case RandomUniformOp or RandomNormalOp:
                    return LowerRandom(arena, n);
            }
        }
        var chain = new List<nint>();
        foreach (var step in steps)
        {
            foreach (var desc in Lower(arena, step))
                chain.Add((nint)desc);
        }
        var parts = new DmlPart[chain.Count];
        for (var c = 0; c < chain.Count; c++)
        {
            DmlRead[] inputs = c == 0
                ? [.. Enumerable.Range(0, node.Inputs.Count).Select(DmlRead.Input)]
                : [new DmlRead(c - 1, 0)];
            parts[c] = new DmlPart(chain[c], inputs);
        }
        return new DmlLowering(parts, [.. node.Outputs.Select((_, k) => new DmlRead(chain.Count - 1, k))]);
    }

    /// <summary>A part reading the given sources.</summary>
    static DmlPart Part(DML_OPERATOR_DESC* desc, params DmlRead[] inputs) => new((nint)desc, inputs);
}
