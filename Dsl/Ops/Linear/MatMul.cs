using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Batched matrix product op(a)·op(b) over the last two axes; leading (batch) axes broadcast.
    /// op(m) is m or its transpose per the flags.
    /// </summary>
    public sealed record MatMulOp(bool TransposeA, bool TransposeB) : Op
    {
        /// <inheritdoc/>
        public override string Name => "matmul";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType a = inputs[0], b = inputs[1];
            RequireFloat(a);
            Require(a.DType == b.DType, $"dtypes differ: {a} vs {b}");
            Require(a.Shape.Rank >= 2 && b.Shape.Rank >= 2, $"matmul needs rank >= 2 on both sides, got {a} and {b} (reshape vectors to [1,n] or [n,1])");
            int m = TransposeA ? a.Shape[-1] : a.Shape[-2], k = TransposeA ? a.Shape[-2] : a.Shape[-1];
            int k2 = TransposeB ? b.Shape[-1] : b.Shape[-2], n = TransposeB ? b.Shape[-2] : b.Shape[-1];
            Require(k == k2, $"inner dimensions differ: {a}{(TransposeA ? "ᵀ" : "")} · {b}{(TransposeB ? "ᵀ" : "")} contracts {k} with {k2}");
            var batch = Shape.Broadcast(new Shape(a.Shape.Take(a.Shape.Rank - 2).ToArray()), new Shape(b.Shape.Take(b.Shape.Rank - 2).ToArray()));
            Require(batch is not null, $"batch dimensions of {a} and {b} do not broadcast");
            return [new TensorType(new Shape([.. batch!, m, n]), a.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            Tensor a = c.X(0), b = c.X(1), g = c.Dy();
            var da = TransposeA ? Ops.MatMul(b, g, TransposeB, true) : Ops.MatMul(g, b, false, !TransposeB);
            var db = WeightGradient(a, b, g) ?? (TransposeB ? Ops.MatMul(g, a, true, TransposeA) : Ops.MatMul(a, g, !TransposeA, false));
            return [Ops.SumToShape(da, a.Shape), Ops.SumToShape(db, b.Shape)];
        }

        /// <summary>
        /// The gradient of a matrix b shared by every batch entry of a (a linear layer's weight on
        /// [B, N, C] tokens) as one matrix product over the flattened rows: [B·N, C]ᵀ·[B·N, out]
        /// instead of B products summed, which builds a [B, C, out] intermediate. Null where b is
        /// batched too or a is transposed (the rows are then not a's leading axes).
        /// </summary>
        Tensor? WeightGradient(Tensor a, Tensor b, Tensor g)
        {
            if (TransposeA || a.Shape.Rank <= 2 || b.Shape.Rank != 2) return null;
            var rows = Ops.Reshape(a, -1, a.Shape[-1]);
            var grads = Ops.Reshape(g, -1, g.Shape[-1]);
            return TransposeB ? Ops.MatMul(grads, rows, transposeA: true) : Ops.MatMul(rows, grads, transposeA: true);
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Batched matrix product with optional transposes of either side.</summary>
        [Differentiable]
        public static Tensor MatMul(Tensor a, Tensor b, bool transposeA = false, bool transposeB = false) =>
            Apply(new MatMulOp(transposeA, transposeB), a, b);

        /// <summary>x·wᵀ + bias, the PyTorch <c>nn.Linear</c> convention (w is [out, in]).</summary>
        [Differentiable]
        public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
        {
            var y = MatMul(x, weight, transposeB: true);
            return bias is null ? y : y + bias;
        }
    }
}
