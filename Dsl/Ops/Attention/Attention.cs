using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Scaled dot-product attention, softmax(q·kᵀ·scale)·v over the last two axes: q [..., N, D],
    /// k [..., M, D], v [..., M, Dv] → [..., N, Dv], the leading (batch, head) axes equal. One op so a
    /// backend can run a fused kernel (libtorch's <c>scaled_dot_product_attention</c>, which never
    /// stores the N×M weights for the backward); its decomposition is the three-op formula.
    /// </summary>
    public sealed record AttentionOp(double Scale) : DecomposableOp
    {
        /// <inheritdoc/>
        public override string Name => "attention";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 3);
            TensorType q = inputs[0], k = inputs[1], v = inputs[2];
            RequireFloat(q, "query");
            Require(q.DType == k.DType && q.DType == v.DType, $"query {q}, key {k} and value {v} must have one dtype");
            Require(q.Shape.Rank >= 2 && k.Shape.Rank == q.Shape.Rank && v.Shape.Rank == q.Shape.Rank,
                $"attention needs query, key and value of one rank >= 2, got {q}, {k} and {v}");
            var batch = new Shape(q.Shape.Take(q.Shape.Rank - 2).ToArray());
            Require(new Shape(k.Shape.Take(k.Shape.Rank - 2).ToArray()) == batch && new Shape(v.Shape.Take(v.Shape.Rank - 2).ToArray()) == batch,
                $"query {q}, key {k} and value {v} must share their leading axes");
            Require(k.Shape[-1] == q.Shape[-1], $"key {k} must have the query's feature size {q.Shape[-1]}");
            Require(v.Shape[-2] == k.Shape[-2], $"value {v} must have one row per key ({k.Shape[-2]})");
            return [new TensorType(q.Shape.With(-1, v.Shape[-1]), q.DType)];
        }
        /// <inheritdoc/>
        public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs) =>
            [Ops.MatMul(Weights(inputs[0], inputs[1], Scale), inputs[2])];

        /// <summary>One backward op (<see cref="AttentionGradOp"/>) instead of the formula's six.</summary>
        public override Tensor?[] Vjp(VjpContext c)
        {
            if (!c.HasDy(0)) return [null, null, null];
            var (dq, dk, dv) = Ops.AttentionGrad(c.Dy(), c.X(0), c.X(1), c.X(2), Scale);
            return [dq, dk, dv];
        }

        /// <summary>The attention weights softmax(q·kᵀ·scale) along the keys.</summary>
        internal static Tensor Weights(Tensor q, Tensor k, double scale) =>
            Ops.Softmax(Ops.MatMul(q, k, transposeB: true) * scale, -1);
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>
        /// Scaled dot-product attention softmax(q·kᵀ·scale)·v over the last two axes (q [..., N, D],
        /// k [..., M, D], v [..., M, Dv]); <paramref name="scale"/> defaults to 1/√D.
        /// </summary>
        [Differentiable]
        public static Tensor Attention(Tensor q, Tensor k, Tensor v, double? scale = null) =>
            Apply(new AttentionOp(scale ?? 1.0 / Math.Sqrt(q.Shape[-1])), q, k, v);
    }
}
