using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Layer normalisation's backward in one op: (dy, x, γ, μ, rstd) → (dx, dγ, dβ), μ and rstd the
    /// forward's saved statistics (last axis kept as 1). libtorch has one kernel for it
    /// (<c>native_layer_norm_backward</c>) where the formula takes a dozen passes.
    /// </summary>
    public sealed record LayerNormGradOp : DecomposableOp
    {
        /// <inheritdoc/>
        public override string Name => "layer_norm_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 5);
            TensorType dy = inputs[0], x = inputs[1], g = inputs[2], mean = inputs[3], rstd = inputs[4];
            RequireFloat(dy, "gradient");
            RequireSameTypes([dy, x], "gradient", "input");
            Require(x.Shape.Rank >= 1, $"layer_norm_grad needs rank >= 1, got {x}");
            var feat = new Shape(x.Shape[-1]);
            var stat = new TensorType(x.Shape.With(-1, 1), x.DType);
            Require(g.Shape == feat && g.DType == x.DType, $"weight {g} must be {x.DType.ShortName()}{feat} for {x}");
            Require(mean == stat && rstd == stat, $"mean {mean} and rstd {rstd} must both be {stat} for {x}");
            return [x, g, g];
        }
        /// <inheritdoc/>
        public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs)
        {
            Tensor dy = inputs[0], x = inputs[1], gamma = inputs[2], mean = inputs[3], rstd = inputs[4];
            var xhat = (x - mean) * rstd;
            var dxhat = dy * gamma;
            var dx = rstd * (dxhat - Ops.Mean(dxhat, -1, keepDims: true) - xhat * Ops.Mean(dxhat * xhat, -1, keepDims: true));
            return [dx, Ops.SumToShape(dy * xhat, gamma.Shape), Ops.SumToShape(dy, gamma.Shape)];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>
        /// Layer normalisation's backward from the forward's input, weight and saved statistics
        /// (outputs 1 and 2 of <see cref="LayerNormOp"/>): the gradients of x, the weight and the bias.
        /// </summary>
        [Differentiable]
        public static (Tensor Dx, Tensor DWeight, Tensor DBias) LayerNormGrad(Tensor dy, Tensor x, Tensor weight, Tensor mean, Tensor rstd)
        {
            var o = x.Graph.Apply(new LayerNormGradOp(), dy, x, weight, mean, rstd);
            return (o[0], o[1], o[2]);
        }
    }
}
