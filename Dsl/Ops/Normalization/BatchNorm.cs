using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Batch normalisation in training mode over every axis but 1 (channels) of a [N,C] or [N,C,H,W]
    /// input, using batch statistics. Outputs y, the batch mean and the biased batch variance (both
    /// [C]) so the caller can update running statistics (see <see cref="Ops.BatchNorm"/>).
    /// </summary>
    public sealed record BatchNormOp(double Eps) : Op
    {
        /// <inheritdoc/>
        public override string Name => "batch_norm";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 3);
            TensorType x = inputs[0], g = inputs[1], b = inputs[2];
            RequireFloat(x);
            Require(x.Shape.Rank is 2 or 3 or 4, $"batch_norm needs [N,C], [N,C,L] or [N,C,H,W], got {x}");
            var ch = new Shape(x.Shape[1]);
            Require(g.Shape == ch && b.Shape == ch && g.DType == x.DType && b.DType == x.DType,
                $"weight {g} and bias {b} must both be {x.DType.ShortName()}{ch} for {x}");
            var stat = new TensorType(ch, x.DType);
            return [x, stat, stat];
        }

        internal static Shape ChannelShape(Tensor x) => new(x.Shape.Select((d, i) => i == 1 ? d : 1).ToArray());
        internal static int[] ReducedAxes(Tensor x) => Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();

        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            Tensor x = c.X(0);
            var cs = ChannelShape(x);
            Tensor? dx = null, dgamma = null, dbeta = null;
            if (c.HasDy(0)) (dx, dgamma, dbeta) = Ops.BatchNormGrad(c.Dy(0), x, c.X(1), c.Y(1), c.Y(2), Eps);
            long n = x.Shape.Numel / x.Shape[1];
            // Gradients reaching the batch statistics (through running-stat updates that a loss uses).
            if (c.HasDy(1)) dx = Dsl.Vjp.Add(dx, Ops.Reshape(c.Dy(1), cs) * (1.0 / n));
            if (c.HasDy(2)) dx = Dsl.Vjp.Add(dx, Ops.Reshape(c.Dy(2), cs) * (x - Ops.Reshape(c.Y(1), cs)) * (2.0 / n));
            // Only the mean's gradient (per channel) when y has none: broadcast it over the batch.
            return [Ops.Expand(dx!, x.Shape), dgamma, dbeta];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>
        /// Training-mode batch normalisation with batch statistics. Returns y, the batch mean and the
        /// biased batch variance ([C] each); update running statistics with
        /// <see cref="RunningMeanUpdate"/> and <see cref="RunningVarUpdate"/>.
        /// </summary>
        [Differentiable]
        public static (Tensor Output, Tensor BatchMean, Tensor BatchVariance) BatchNorm(Tensor x, Tensor weight, Tensor bias, double eps = 1e-5)
        {
            var o = x.Graph.Apply(new BatchNormOp(eps), x, weight, bias);
            return (o[0], o[1], o[2]);
        }

        /// <summary>
        /// PyTorch's running-mean update r ← (1-m)·r + m·batchMean, r being the value after this step's
        /// earlier updates (<see cref="Graph.Pending"/>); no gradient flows.
        /// </summary>
        [NonDifferentiable]
        public static Tensor RunningMeanUpdate(Tensor runningMean, Tensor batchMean, double momentum = 0.1) =>
            runningMean.Graph.Pending(runningMean) * (1 - momentum) + StopGradient(batchMean) * momentum;

        /// <summary>
        /// PyTorch's running-variance update with the unbiased batch variance:
        /// r ← (1-m)·r + m·v·n/(n-1), n the number of values per channel; no gradient flows.
        /// </summary>
        [NonDifferentiable]
        public static Tensor RunningVarUpdate(Tensor runningVar, Tensor batchVariance, long count, double momentum = 0.1) =>
            runningVar.Graph.Pending(runningVar) * (1 - momentum) + StopGradient(batchVariance) * (momentum * count / Math.Max(1, count - 1));

        /// <summary>Evaluation-mode batch normalisation with running statistics.</summary>
        [Differentiable]
        public static Tensor BatchNormEval(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps = 1e-5)
        {
            var cs = BatchNormOp.ChannelShape(x);
            var scale = Reshape(weight * Rsqrt(runningVar + eps), cs);
            return x * scale + Reshape(bias - runningMean * weight * Rsqrt(runningVar + eps), cs);
        }
    }
}
