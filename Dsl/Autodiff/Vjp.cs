namespace Dsl;

/// <summary>
/// Helpers called by generated backward code: the VJP of one op call (through the
/// <see cref="Operators.Op.Vjp"/> rules of the nodes it appended) and null-aware accumulation.
/// </summary>
public static class Vjp
{
    /// <summary>
    /// Gradients of <paramref name="output"/> (seeded with <paramref name="dOutput"/>) with respect to
    /// each operand of the call that produced it; null for operands that are not differentiable or
    /// when <paramref name="dOutput"/> is null. Only the call's own nodes are differentiated: an
    /// operand that depends on another operand is treated as a leaf.
    /// </summary>
    public static Tensor?[] Of(Tensor output, Tensor? dOutput, params Tensor[] operands) => Of([output], [dOutput], operands);

    /// <summary>
    /// As <see cref="Of(Tensor, Tensor?, Tensor[])"/> for a call with several outputs (a tuple-returning
    /// op): gradients of Σ ⟨outputᵢ, dOutputᵢ⟩, null cotangents counting as zero.
    /// </summary>
    public static Tensor?[] Of(Tensor[] outputs, Tensor?[] dOutputs, params Tensor[] operands)
    {
        var seeds = outputs.Zip(dOutputs).Where(p => p.Second is not null && p.First.DType.IsFloat())
            .Select(p => (p.First, p.Second!)).ToArray();
        if (seeds.Length == 0) return new Tensor?[operands.Length];
        var wrt = operands.Where(o => o.DType.IsFloat()).ToArray();
        var grads = Autodiff.Gradients(seeds, wrt, wrtAreLeaves: true);
        var result = new Tensor?[operands.Length];
        for (int i = 0, k = 0; i < operands.Length; i++)
            if (operands[i].DType.IsFloat()) result[i] = grads[k++];
        return result;
    }

    /// <summary>a + b where null means zero (gradients of adjacent slices of one value are joined, not summed).</summary>
    public static Tensor? Add(Tensor? a, Tensor? b) => a is null ? b : b is null ? a : SliceAccumulation.TryJoin(a, b) ?? a + b;
}
