using Dsl.Execution;
namespace Dsl.Models.Losses;

/// <summary>The self-supervised objectives, as differentiable compositions of catalogue ops.</summary>
public static class SelfSupervisedLosses
{
    /// <summary>
    /// SimCLR's NT-Xent: the 2N projections are L2-normalised, cosine similarities scaled by
    /// 1/<paramref name="temperature"/>, each sample's own similarity masked out, and the positive of
    /// view i is the other view of the same image; mean cross-entropy over the 2N rows.
    /// </summary>
    [Differentiable]
    public static Tensor NtXent(Tensor z1, Tensor z2, double temperature = 0.1)
    {
        if (z1.Type != z2.Type || z1.Rank != 2)
            throw new ShapeException($"NT-Xent needs two [N,D] projections of one type, got {z1.Type} and {z2.Type}.");
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The temperature must be positive.");
        int n = z1.Shape[0], m = 2 * n;
        var z = Ops.L2Normalize(Ops.Concat(0, z1, z2), 1);
        var similarity = Ops.MatMul(z, z, transposeB: true) * (1.0 / temperature);
        var self = Ops.Constant(z.Graph, Eye(m, z.DType, 1e9));   // exp(-1e9) underflows to 0: self-pairs vanish
        var labels = Ops.Constant(z.Graph, HostTensor.I64(new Shape(m), Enumerable.Range(0, m).Select(i => (long)((i + n) % m)).ToArray()));
        return Ops.CrossEntropy(similarity - self, labels);
    }

    /// <summary>
    /// Barlow Twins: each projection is standardised along the batch (batch norm without affine,
    /// biased variance), c = z1ᵀz2 / N, loss = Σ(1 − cᵢᵢ)² + λ·Σ_{i≠j} cᵢⱼ².
    /// </summary>
    [Differentiable]
    public static Tensor BarlowTwins(Tensor z1, Tensor z2, double lambda = 5e-3, double eps = 1e-5)
    {
        if (z1.Type != z2.Type || z1.Rank != 2)
            throw new ShapeException($"Barlow Twins needs two [N,D] projections of one type, got {z1.Type} and {z2.Type}.");
        int n = z1.Shape[0], d = z1.Shape[1];
        var ones = Ops.Full(z1.Graph, new Shape(d), 1, z1.DType);
        var zeros = Ops.Full(z1.Graph, new Shape(d), 0, z1.DType);
        var a = Ops.BatchNorm(z1, ones, zeros, eps).Output;
        var b = Ops.BatchNorm(z2, ones, zeros, eps).Output;
        var c = Ops.MatMul(a, b, transposeA: true) * (1.0 / n);
        var eye = Ops.Constant(z1.Graph, Eye(d, z1.DType, 1));
        var diagonal = Ops.Sum(c * eye, 1);
        var onDiagonal = Ops.Sum(Ops.PowScalar(1.0 - diagonal, 2));
        var offDiagonal = Ops.Sum(Ops.PowScalar(c, 2)) - Ops.Sum(Ops.PowScalar(diagonal, 2));
        return onDiagonal + offDiagonal * lambda;
    }

    static HostTensor Eye(int size, DType dtype, double value)
    {
        var data = new double[size * size];
        for (int i = 0; i < size; i++) data[i * size + i] = value;
        return dtype == DType.Float64 ? HostTensor.F64(new Shape(size, size), data) : HostTensor.F32(new Shape(size, size), data.Select(v => (float)v).ToArray());
    }
}
