namespace Dsl;

public static partial class Ops
{
    /// <summary>x / max(‖x‖₂, eps) along an axis (as torch.nn.functional.normalize).</summary>
    [Differentiable]
    public static Tensor L2Normalize(Tensor x, int axis = -1, double eps = 1e-12)
    {
        // x / max(‖x‖, eps) written as x · rsqrt(max(‖x‖², eps²)): the same values, but a zero row
        // gets a finite gradient (√ at 0 would give inf · 0 = NaN).
        var squared = Sum(x * x, axis, keepDims: true);
        return x * Rsqrt(Maximum(squared, x.Scalar(eps * eps)));
    }

    /// <summary>
    /// Mean cross-entropy of logits [N,K] against i64 labels [N] (torch.nn.functional.cross_entropy).
    /// </summary>
    [Differentiable]
    public static Tensor CrossEntropy(Tensor logits, Tensor labels)
    {
        if (logits.Rank != 2 || labels.Rank != 1 || labels.DType != DType.Int64 || labels.Shape[0] != logits.Shape[0])
            throw new ShapeException($"Shape error in {Where(logits)}, op cross_entropy: needs logits [N,K] and i64 labels [N], got {logits.Type} and {labels.Type}");
        var logp = LogSoftmax(logits, 1);
        var picked = TakeAlongAxis(logp, Reshape(labels, labels.Shape[0], 1), 1);
        return -Mean(picked);
    }
}
