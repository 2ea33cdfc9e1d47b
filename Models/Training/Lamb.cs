namespace Dsl.Models.Training;

/// <summary>
/// LAMB (You et al. 2019): Adam moments with bias correction, decoupled weight decay added to the
/// update, and a layer-wise trust ratio ‖w‖/‖u‖:
/// u = m̂/(√v̂ + ε) + λw; w ← w − lr·trust·u. Excluded parameters (see
/// <see cref="Optimizer.DecayFilter"/>) get no decay and trust 1. State as <see cref="AdamW"/>:
/// "prefix.exp_avg", "prefix.exp_avg_sq", "prefix.step".
/// </summary>
/// <param name="Beta1">β₁.</param>
/// <param name="Beta2">β₂.</param>
/// <param name="Eps">ε.</param>
/// <param name="WeightDecay">λ.</param>
public sealed record Lamb(double Beta1 = 0.9, double Beta2 = 0.999, double Eps = 1e-6, double WeightDecay = 0.01) : Optimizer
{
    /// <inheritdoc/>
    protected override Tensor Build(Graph graph, ParameterPack pack, Tensor parameters, Tensor gradient, Tensor learningRate)
    {
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1 || Eps <= 0 || WeightDecay < 0)
            throw new ArgumentOutOfRangeException(nameof(Beta1), "LAMB needs betas in [0,1), eps > 0 and weight decay >= 0.");
        var step = graph.State(AdamW.StepName(StatePrefix), Shape.Scalar, pack.DType);
        var t = step + 1.0;
        graph.Update(step, t);
        var c1 = 1.0 - Ops.Exp(t * Math.Log(Beta1));
        var c2 = 1.0 - Ops.Exp(t * Math.Log(Beta2));

        var g = gradient;
        var m = State(graph, pack, "exp_avg");
        var v = State(graph, pack, "exp_avg_sq");
        var m1 = m * Beta1 + g * (1 - Beta1);
        var v1 = v * Beta2 + g * g * (1 - Beta2);
        graph.Update(m, m1);
        graph.Update(v, v1);
        var update = (m1 / c1) / (Ops.Sqrt(v1 / c2) + Eps);
        var adapted = DecayFlags(pack);
        if (adapted.Contains(true))
        {
            if (DecayTerm(pack, parameters, WeightDecay) is { } decay) update = update + decay;
            update = update * TrustRatio.PerElement(pack, parameters, update, 1.0, adapted);
        }
        return parameters - learningRate * update;
    }
}
