namespace Dsl.Models.Training;

/// <summary>
/// LARS (You et al. 2017) as used by SimCLR and Barlow Twins: SGD with momentum where each
/// adapted parameter's step is scaled by the trust ratio η·‖w‖/‖g + λw‖ (1 when either norm is 0).
/// Parameters excluded by <see cref="Optimizer.DecayFilter"/> get neither decay nor adaptation.
/// g ← g + λw; g ← g·trust; b ← μb + g; w ← w − lr·b.
/// </summary>
/// <param name="Momentum">μ.</param>
/// <param name="WeightDecay">λ.</param>
/// <param name="TrustCoefficient">η (0.001 in the papers).</param>
public sealed record Lars(double Momentum = 0.9, double WeightDecay = 1e-6, double TrustCoefficient = 0.001) : Optimizer
{
    /// <inheritdoc/>
    protected override void Build(Graph graph, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor learningRate)
    {
        if (Momentum < 0 || WeightDecay < 0 || TrustCoefficient <= 0)
            throw new ArgumentOutOfRangeException(nameof(Momentum), "LARS needs momentum >= 0, weight decay >= 0 and a trust coefficient > 0.");
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, g) = (parameters[i], gradients[i]);
            if (Decays(p))
            {
                g = g + p * WeightDecay;
                g = g * TrustRatio.Of(p, g, TrustCoefficient);
            }
            var buffer = StateFor(graph, p, "momentum_buffer");
            var next = buffer * Momentum + g;
            graph.Update(buffer, next);
            graph.Update(p, p - learningRate * next);
        }
    }
}

/// <summary>The layer-wise trust ratio shared by LARS and LAMB, as graph ops.</summary>
internal static class TrustRatio
{
    /// <summary>η·‖w‖/‖u‖, or 1 where either norm is zero (PyTorch LARS/LAMB implementations).</summary>
    public static Tensor Of(Tensor weight, Tensor update, double eta)
    {
        var wNorm = Ops.Sqrt(Ops.Sum(weight * weight));
        var uNorm = Ops.Sqrt(Ops.Sum(update * update));
        var bothPositive = Ops.Greater(wNorm, wNorm.Scalar(0)) * Ops.Greater(uNorm, uNorm.Scalar(0));
        // Where a norm is 0 the ratio is replaced by 1; the max() keeps the unused branch finite.
        var ratio = wNorm * eta / Ops.Maximum(uNorm, uNorm.Scalar(1e-30));
        return bothPositive * ratio + (1.0 - bothPositive);
    }
}
