using Dsl.Operators;
namespace Dsl;

/// <summary>
/// Gradient accumulation for values read in adjacent slices (the q, k and v of one qkv projection):
/// the adjoints of slices [a, b) and [b, c) of one axis join as one concat placed at a, instead of
/// two zero-filled full-size slice_grads and their sum. When the joined slices cover the whole axis
/// no zeros are written at all.
/// </summary>
static class SliceAccumulation
{
    /// <summary>a + b as a joined slice gradient where both are slice_grads of adjacent unit-step ranges of one axis; else null.</summary>
    public static Tensor? TryJoin(Tensor a, Tensor b)
    {
        if (Slice(a) is not var (sa, pa) || Slice(b) is not var (sb, pb) || a.Graph != b.Graph) return null;
        if (sa.FullShape != sb.FullShape || sa.Axis != sb.Axis || sa.Step != 1 || sb.Step != 1) return null;
        int axis = sa.Axis;
        var ((lo, loPart), (hi, hiPart)) = sa.Start <= sb.Start ? ((sa, pa), (sb, pb)) : ((sb, pb), (sa, pa));
        if (lo.Start + loPart.Shape[axis] != hi.Start) return null;
        var joined = Ops.Concat(axis, [.. Parts(loPart, axis), .. Parts(hiPart, axis)]);
        return Ops.SliceGrad(joined, lo.FullShape, axis, lo.Start);
    }

    static (SliceGradOp Op, Tensor Part)? Slice(Tensor t) =>
        t.Producer is { Op: SliceGradOp op } node ? (op, node.Inputs[0]) : null;

    /// <summary>A concat along the same axis (an earlier join) contributes its parts: one copy, not nested ones.</summary>
    static IEnumerable<Tensor> Parts(Tensor t, int axis) =>
        t.Producer is { Op: ConcatOp c } node && c.Axis == axis ? node.Inputs : [t];
}
