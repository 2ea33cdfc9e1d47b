using Dsl.Models.Training;

namespace Dsl.Tests.Training;

/// <summary>
/// The optimizers and clipping as they were before the flat pack: ~10–25 graph ops per parameter,
/// state "ref.{parameter}.{kind}". Kept as the reference the flat implementation must equal.
/// </summary>
internal static class PerParameterOptimizers
{
    /// <summary>Adds one step of <paramref name="optimizer"/> (its settings and decay filter), parameter by parameter.</summary>
    public static void AddUpdates(Graph graph, Optimizer optimizer, IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> gradients, Tensor lr)
    {
        bool Decays(Tensor p) => optimizer.DecayFilter?.Invoke(p) ?? true;
        Tensor State(Tensor p, string kind) => graph.State($"ref.{p.Name}.{kind}", p.Shape, p.DType);
        Tensor? t = null;
        if (optimizer is AdamW or Lamb)
        {
            var step = graph.State("ref.step", Shape.Scalar, lr.DType);
            t = step + 1.0;
            graph.Update(step, t);
        }
        for (int i = 0; i < parameters.Count; i++)
        {
            var (p, g) = (parameters[i], gradients[i]);
            graph.Update(p, optimizer switch
            {
                Sgd o => SgdStep(o, p, g, Decays(p)),
                AdamW o => AdamWStep(o, p, g, Decays(p), t!),
                Lars o => LarsStep(o, p, g, Decays(p)),
                Lamb o => LambStep(o, p, g, Decays(p), t!),
                _ => throw new NotSupportedException(optimizer.ToString()),
            });
        }

        Tensor SgdStep(Sgd o, Tensor p, Tensor g, bool decays)
        {
            if (o.WeightDecay != 0 && decays) g = g + p * o.WeightDecay;
            var direction = g;
            if (o.Momentum != 0)
            {
                var buffer = State(p, "momentum_buffer");
                var next = buffer * o.Momentum + g;
                graph.Update(buffer, next);
                direction = o.Nesterov ? g + next * o.Momentum : next;
            }
            return p - lr * direction;
        }

        Tensor AdamWStep(AdamW o, Tensor p, Tensor g, bool decays, Tensor t)
        {
            Tensor Correction(double beta) => beta == 0 ? lr.Scalar(1) : 1.0 - Ops.Exp(t * Math.Log(beta));
            var (m1, v1) = Moments(p, g, o.Beta1, o.Beta2);
            var denominator = Ops.Sqrt(v1) / Ops.Sqrt(Correction(o.Beta2)) + o.Eps;
            var decayed = o.WeightDecay == 0 || !decays ? p : p * (1.0 - lr * o.WeightDecay);
            return decayed - lr / Correction(o.Beta1) * m1 / denominator;
        }

        Tensor LarsStep(Lars o, Tensor p, Tensor g, bool decays)
        {
            if (decays)
            {
                g = g + p * o.WeightDecay;
                g = g * TrustRatio(p, g, o.TrustCoefficient);
            }
            var buffer = State(p, "momentum_buffer");
            var next = buffer * o.Momentum + g;
            graph.Update(buffer, next);
            return p - lr * next;
        }

        Tensor LambStep(Lamb o, Tensor p, Tensor g, bool decays, Tensor t)
        {
            var (m1, v1) = Moments(p, g, o.Beta1, o.Beta2);
            var update = (m1 / (1.0 - Ops.Exp(t * Math.Log(o.Beta1)))) / (Ops.Sqrt(v1 / (1.0 - Ops.Exp(t * Math.Log(o.Beta2)))) + o.Eps);
            if (decays)
            {
                update = update + p * o.WeightDecay;
                update = update * TrustRatio(p, update, 1.0);
            }
            return p - lr * update;
        }

        (Tensor M, Tensor V) Moments(Tensor p, Tensor g, double beta1, double beta2)
        {
            var m = State(p, "exp_avg");
            var v = State(p, "exp_avg_sq");
            var m1 = m * beta1 + g * (1 - beta1);
            var v1 = v * beta2 + g * g * (1 - beta2);
            graph.Update(m, m1);
            graph.Update(v, v1);
            return (m1, v1);
        }
    }

    /// <summary>η·‖w‖/‖u‖ for one parameter, 1 where either norm is 0.</summary>
    static Tensor TrustRatio(Tensor weight, Tensor update, double eta)
    {
        var wNorm = Ops.Sqrt(Ops.Sum(weight * weight));
        var uNorm = Ops.Sqrt(Ops.Sum(update * update));
        var bothPositive = Ops.Greater(wNorm, wNorm.Scalar(0)) * Ops.Greater(uNorm, uNorm.Scalar(0));
        var ratio = wNorm * eta / Ops.Maximum(uNorm, uNorm.Scalar(1e-30));
        return bothPositive * ratio + (1.0 - bothPositive);
    }

    /// <summary>Global-norm clipping over a list of gradients, one sum of squares per gradient.</summary>
    public static Tensor[] Clip(IReadOnlyList<Tensor> gradients, double maxNorm)
    {
        var norm = Ops.Sqrt(gradients.Select(g => Ops.Sum(g * g)).Aggregate((a, b) => a + b));
        var scale = Ops.Minimum(norm.Scalar(1), maxNorm / (norm + 1e-6));
        return [.. gradients.Select(g => g * scale)];
    }
}
