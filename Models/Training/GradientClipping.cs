namespace Dsl.Models.Training;

/// <summary>Gradient clipping as graph ops (torch.nn.utils.clip_grad_norm_ semantics).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients by min(1, maxNorm/(‖g‖ + 1e-6)), ‖g‖ the global L2 norm over every
    /// gradient. Returns the clipped gradients and the norm before clipping (for logging).
    /// </summary>
    public static (Tensor[] Clipped, Tensor Norm) ByGlobalNorm(IReadOnlyList<Tensor> gradients, double maxNorm)
    {
        if (gradients.Count == 0) throw new ArgumentException("No gradients to clip.");
        if (maxNorm <= 0) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum norm must be positive.");
        var squares = gradients.Select(g => Ops.Sum(g * g)).Aggregate((a, b) => a + b);
        var norm = Ops.Sqrt(squares);
        var scale = Ops.Minimum(norm.Scalar(1), maxNorm / (norm + 1e-6));
        return (gradients.Select(g => g * scale).ToArray(), norm);
    }
}
