namespace Dsl.Models.Training;

/// <summary>
/// LARS (You et al. 2017) as used by SimCLR and Barlow Twins: SGD with momentum where each
/// adapted parameter's step is scaled by the trust ratio η·‖w‖/‖g + λw‖ (1 when either norm is 0).
/// Parameters excluded by <see cref="Optimizer.DecayFilter"/> get neither decay nor adaptation.
/// g ← g + λw; g ← g·trust; b ← μb + g; w ← w − lr·b. The buffer is "prefix.momentum_buffer".
/// </summary>
/// <param name="Momentum">μ.</param>
/// <param name="WeightDecay">λ.</param>
/// <param name="TrustCoefficient">η (0.001 in the papers).</param>
public sealed record Lars(double Momentum = 0.9, double WeightDecay = 1e-6, double TrustCoefficient = 0.001) : Optimizer
{
    /// <inheritdoc/>
    protected override Tensor Build(Graph graph, ParameterPack pack, Tensor parameters, Tensor gradient, Tensor learningRate)
    {
        if (Momentum < 0 || WeightDecay < 0 || TrustCoefficient <= 0)
            throw new ArgumentOutOfRangeException(nameof(Momentum), "LARS needs momentum >= 0, weight decay >= 0 and a trust coefficient > 0.");
        var g = gradient;
        var adapted = DecayFlags(pack);
        if (adapted.Contains(true))
        {
            if (DecayTerm(pack, parameters, WeightDecay) is { } decay) g = g + decay;
            g = g * TrustRatio.PerElement(pack, parameters, g, TrustCoefficient, adapted);
        }
        var buffer = State(graph, pack, "momentum_buffer");
        var next = buffer * Momentum + g;
        graph.Update(buffer, next);
        return parameters - learningRate * next;
    }
}

/// <summary>The layer-wise trust ratio shared by LARS and LAMB, as graph ops on a packed vector.</summary>
internal static class TrustRatio
{
    /// <summary>
    /// Per element of the pack, its parameter's η·‖w‖/‖u‖, or 1 where either norm is zero (PyTorch
    /// LARS/LAMB implementations) or the parameter is not <paramref name="adapted"/>. The norms are
    /// segment sums of the whole buffer (one index-add each), spread back by one gather.
    /// </summary>
    public static Tensor PerElement(ParameterPack pack, Tensor weight, Tensor update, double eta, IReadOnlyList<bool> adapted)
    {
        var wNorm = Ops.Sqrt(pack.SegmentSums(weight * weight));
        var uNorm = Ops.Sqrt(pack.SegmentSums(update * update));
        var applies = Ops.Greater(wNorm, wNorm.Scalar(0)) * Ops.Greater(uNorm, uNorm.Scalar(0));
        if (adapted.Contains(false)) applies = applies * pack.SegmentMask(adapted);
        // Where the ratio does not apply it is replaced by 1; the max() keeps the unused branch finite.
        var ratio = wNorm * eta / Ops.Maximum(uNorm, uNorm.Scalar(1e-30));
        return pack.PerElement(applies * ratio + (1.0 - applies));
    }
}
