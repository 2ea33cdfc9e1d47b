namespace Dsl;

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
        Tensor x = c.X(0), gamma = c.X(1), mean = c.Y(1), rstd = c.Y(2), dy = c.Dy(0);
        var xhat = (x - mean) * rstd;
        var dxhat = dy * gamma;
        var dx = rstd * (dxhat - Ops.Mean(dxhat, -1, keepDims: true) - xhat * Ops.Mean(dxhat * xhat, -1, keepDims: true));
        // Gradients of the returned statistics (rarely used) flow through their definitions.
        int n = x.Shape[-1];
        if (c.HasDy(1)) dx = dx + c.Dy(1) * (1.0 / n);
        if (c.HasDy(2)) dx = dx + c.Dy(2) * Ops.PowScalar(rstd, 3) * (mean - x) * (1.0 / n);
        return [dx, Ops.SumToShape(dy * xhat, gamma.Shape), Ops.SumToShape(dy, gamma.Shape)];
    }
}

public static partial class Ops
{
    /// <summary>Layer normalisation over the last axis with affine weight and bias.</summary>
    [Differentiable]
    public static Tensor LayerNorm(Tensor x, Tensor weight, Tensor bias, double eps = 1e-5) =>
        x.Graph.Apply(new LayerNormOp(eps), x, weight, bias)[0];
}
