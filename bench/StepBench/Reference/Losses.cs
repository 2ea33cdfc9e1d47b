using TorchSharp;
using static TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>The self-supervised losses as a PyTorch user writes them.</summary>
static class Losses
{
    /// <summary>NT-Xent: normalised projections, similarities over the temperature, self-pairs masked, positives the other view.</summary>
    public static TT NtXent(TT z1, TT z2, double temperature)
    {
        long n = z1.shape[0], m = 2 * n;
        var z = normalize(torch.cat([z1, z2], 0), p: 2, dim: 1);
        var similarity = z.matmul(z.t()) / temperature - torch.eye(m) * 1e9;
        var labels = (torch.arange(m, torch.ScalarType.Int64) + n) % m;
        return cross_entropy(similarity, labels);
    }

    /// <summary>Barlow Twins: Σ(1 − cᵢᵢ)² + λ·Σ_{i≠j} cᵢⱼ² on the cross-correlation of the batch-standardised projections.</summary>
    public static TT BarlowTwins(TT z1, TT z2, double lambda)
    {
        long n = z1.shape[0];
        var c = Standardize(z1).t().matmul(Standardize(z2)) / n;
        var diagonal = c.diagonal();
        var onDiagonal = (1 - diagonal).pow(2).sum();
        var offDiagonal = c.pow(2).sum() - diagonal.pow(2).sum();
        return onDiagonal + lambda * offDiagonal;
    }

    /// <summary>Batch norm without affine or running statistics (biased variance, eps 1e-5), as <c>nn.BatchNorm1d(affine=False)</c> in training.</summary>
    static TT Standardize(TT z) => batch_norm(z, null, null, training: true, eps: 1e-5);

    /// <summary>The fraction of rows whose largest logit is at the label.</summary>
    public static TT Accuracy(TT logits, TT labels)
    {
        using var _ = torch.no_grad();
        return logits.argmax(1).eq(labels).to_type(torch.ScalarType.Float32).mean();
    }
}
