using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Training-mode batch normalisation's backward in one op: (dy, x, γ, batch mean, biased batch
    /// variance) → (dx, dγ, dβ), the statistics being the forward's outputs 1 and 2 ([C]). libtorch
    /// has one kernel for it (<c>native_batch_norm_backward</c>).
    /// </summary>
    public sealed record BatchNormGradOp(double Eps) : DecomposableOp
    {
        /// <inheritdoc/>
        public override string Name => "batch_norm_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 5);
            TensorType dy = inputs[0], x = inputs[1], g = inputs[2], mean = inputs[3], variance = inputs[4];
            RequireFloat(dy, "gradient");
            RequireSameTypes([dy, x], "gradient", "input");
            Require(x.Shape.Rank is 2 or 3 or 4, $"batch_norm_grad needs [N,C], [N,C,L] or [N,C,H,W], got {x}");
            var ch = new TensorType(new Shape(x.Shape[1]), x.DType);
            Require(g == ch && mean == ch && variance == ch, $"weight {g}, mean {mean} and variance {variance} must all be {ch} for {x}");
            return [x, ch, ch];
        }
        /// <inheritdoc/>
        public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs)
        {
            Tensor dy = inputs[0], x = inputs[1], gamma = inputs[2];
            var cs = BatchNormOp.ChannelShape(x);
            var axes = BatchNormOp.ReducedAxes(x);
            var mean = Ops.Reshape(inputs[3], cs);
            var rstd = Ops.Rsqrt(Ops.Reshape(inputs[4], cs) + Eps);
            var xhat = (x - mean) * rstd;
            var dxhat = dy * Ops.Reshape(gamma, cs);
            var dx = rstd * (dxhat - Ops.Mean(dxhat, axes, keepDims: true) - xhat * Ops.Mean(dxhat * xhat, axes, keepDims: true));
            return [dx, Ops.Sum(dy * xhat, axes), Ops.Sum(dy, axes)];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>
        /// Training-mode batch normalisation's backward from the forward's input, weight and batch
        /// statistics (outputs 1 and 2 of <see cref="BatchNormOp"/>): the gradients of x, the weight and the bias.
        /// </summary>
        [Differentiable]
        public static (Tensor Dx, Tensor DWeight, Tensor DBias) BatchNormGrad(Tensor dy, Tensor x, Tensor weight, Tensor batchMean, Tensor batchVariance, double eps = 1e-5)
        {
            var o = x.Graph.Apply(new BatchNormGradOp(eps), dy, x, weight, batchMean, batchVariance);
            return (o[0], o[1], o[2]);
        }
    }
}
