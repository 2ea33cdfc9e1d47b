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
    /// The lowering of one node: the composite ops (layer norm, batch norm, GELU, max pooling whose
    /// indices are read) as a small graph of operators; every other op as the chain <see cref="Lower"/> gives (the first
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
                case MaxPool2dOp mp when read.Contains(node.Outputs[1]):
                    return LowerMaxPool2dWithIndices(arena, n, mp);
            }
        }
        // Each chain operator with the index of its step's first operator (explicit wirings, see
        // DmlGraphBuilder.Wiring.cs, count parts from there).
        var chain = new List<(nint Desc, int StepStart)>();
        foreach (var step in steps)
        {
            var start = chain.Count;
            foreach (var desc in Lower(arena, step))
                chain.Add(((nint)desc, start));
        }
        var parts = new DmlPart[chain.Count];
        for (var c = 0; c < chain.Count; c++)
        {
            var (desc, start) = chain[c];
            var wiring = WiringOf(arena, (DML_OPERATOR_DESC*)desc);
            DmlRead[] inputs;
            if (wiring is not null)
            {
                if (steps.Length > 1 && wiring.Any(w => w.FromPart == PartInput.NodeInput))
                    throw new NotSupportedException($"{node.Op.Describe()}: an explicitly wired lowering reads the node's inputs, which a rank-policy rewrite into {steps.Length} steps cannot give it.");
                inputs = new DmlRead[wiring.Length];
                foreach (var w in wiring)
                    inputs[w.Input] = w.FromPart == PartInput.NodeInput ? DmlRead.Input(w.FromOutput) : new DmlRead(start + w.FromPart, w.FromOutput);
            }
            else
            {
                inputs = c == 0
                    ? [.. Enumerable.Range(0, node.Inputs.Count).Select(DmlRead.Input)]
                    : [new DmlRead(c - 1, 0)];
            }
            parts[c] = new DmlPart(desc, inputs);
        }
        return new DmlLowering(parts, [.. node.Outputs.Select((_, k) => new DmlRead(chain.Count - 1, k))]);
    }

    /// <summary>A part reading the given sources.</summary>
    static DmlPart Part(DML_OPERATOR_DESC* desc, params DmlRead[] inputs) => new((nint)desc, inputs);
}
