using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// The <see cref="K"/> largest values along the last axis, largest first, and their indices
    /// (torch.topk with largest and sorted). Which of equal values comes first is the backend's choice.
    /// </summary>
    public sealed record TopKOp(int K) : Op
    {
        /// <inheritdoc/>
        public override string Name => "top_k";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            var x = inputs[0];
            RequireFloat(x);
            Require(x.Shape.Rank >= 1, $"top_k needs at least one axis, got {x}");
            Require(K >= 1 && K <= x.Shape[-1], $"k {K} must be between 1 and the last axis's {x.Shape[-1]} of {x}");
            var shape = x.Shape.With(x.Shape.Rank - 1, K);
            return [new TensorType(shape, x.DType), new TensorType(shape, DType.Int64)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            // Each selected value's gradient lands on the element it was taken from; the indices carry none.
            var x = c.X();
            return [Ops.ScatterAdd(c.Dy(0), c.Y(1), x.Rank - 1, x.Shape)];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>
        /// The <paramref name="k"/> largest values along the last axis, in decreasing order, and their
        /// int64 indices; the gradient of the values flows back to the elements they were taken from.
        /// </summary>
        [Differentiable]
        public static (Tensor Values, Tensor Indices) TopK(Tensor x, int k)
        {
            var o = x.Graph.Apply(new TopKOp(k), x);
            return (o[0], o[1]);
        }
    }
}
