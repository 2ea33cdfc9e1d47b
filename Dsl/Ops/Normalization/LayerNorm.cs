using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Layer normalisation over the last axis: y = (x-μ)/√(σ²+ε)·γ + β. Outputs y, μ and 1/√(σ²+ε)
    /// (both with the last axis kept as 1) so the backward does not recompute statistics.
    /// </summary>
    public sealed record LayerNormOp(double Eps) : Op
    {
        /// <inheritdoc/>
        public override string Name => "layer_norm";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 3);
            TensorType x = inputs[0], g = inputs[1], b = inputs[2];
            RequireFloat(x);
            Require(x.Shape.Rank >= 1, $"layer_norm needs rank >= 1, got {x}");
            var feat = new Shape(x.Shape[-1]);
            Require(g.Shape == feat && b.Shape == feat && g.DType == x.DType && b.DType == x.DType,
                $"weight {g} and bias {b} must both be {x.DType.ShortName()}{feat} to normalise {x}");
            var stat = new TensorType(x.Shape.With(-1, 1), x.DType);
            return [x, stat, stat];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            Tensor x = c.X(0), mean = c.Y(1), rstd = c.Y(2);
            Tensor? dx = null, dgamma = null, dbeta = null;
            if (c.HasDy(0)) (dx, dgamma, dbeta) = Ops.LayerNormGrad(c.Dy(0), x, c.X(1), mean, rstd);
            // Gradients of the returned statistics (rarely used) flow through their definitions.
            int n = x.Shape[-1];
            if (c.HasDy(1)) dx = Dsl.Vjp.Add(dx, c.Dy(1) * (1.0 / n));
            if (c.HasDy(2)) dx = Dsl.Vjp.Add(dx, c.Dy(2) * Ops.PowScalar(rstd, 3) * (mean - x) * (1.0 / n));
            // Only the mean's gradient (rank-kept) when y has none: broadcast it over the axis.
            return [Ops.Expand(dx!, x.Shape), dgamma, dbeta];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Layer normalisation over the last axis with affine weight and bias.</summary>
        [Differentiable]
        public static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias, double eps = 1e-5) =>
            x.Graph.Apply(new LayerNormOp(eps), x, weight, bias)[0];
    }
}
