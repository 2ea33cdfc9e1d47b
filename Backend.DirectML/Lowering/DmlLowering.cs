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
internal sealed record DmlLowering(DmlPart[] Parts, DmlRead[] Outputs)
{
    /// <summary>A chain: part 0 reads the node's <paramref name="inputs"/> inputs in order, each later part the previous one's output 0; the last part holds the <paramref name="outputs"/> outputs.</summary>
    public static DmlLowering Chain(IReadOnlyList<nint> descs, int inputs, int outputs)
    {
        var parts = new DmlPart[descs.Count];
        for (var c = 0; c < parts.Length; c++)
        {
            DmlRead[] reads = c == 0 ? [.. Enumerable.Range(0, inputs).Select(DmlRead.Input)] : [new DmlRead(c - 1, 0)];
            parts[c] = new DmlPart(descs[c], reads);
        }
        return new DmlLowering(parts, [.. Enumerable.Range(0, outputs).Select(k => new DmlRead(parts.Length - 1, k))]);
    }

    /// <summary>
    /// This lowering placed after <paramref name="parts"/> (already collected): its parts' reads of
    /// earlier parts offset, its reads of node input j taken from <paramref name="inputs"/>[j]; returns
    /// its outputs as reads of the collected parts.
    /// </summary>
    public DmlRead[] AppendTo(List<DmlPart> parts, IReadOnlyList<DmlRead> inputs)
    {
        var offset = parts.Count;
        DmlRead Map(DmlRead r) => r.Part < 0 ? inputs[r.Index] : r with { Part = offset + r.Part };
        foreach (var part in Parts)
            parts.Add(part with { Inputs = [.. part.Inputs.Select(Map)] });
        return [.. Outputs.Select(Map)];
    }
}
