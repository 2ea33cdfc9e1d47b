using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Scaled dot-product attention's backward in one op: (dy, q, k, v) → (dq, dk, dv). The weights
    /// are recomputed from q and k, as fused attention kernels do, so nothing N×M lives between the
    /// forward and the backward.
    /// </summary>
    public sealed record AttentionGradOp(double Scale) : DecomposableOp
    {
        /// <inheritdoc/>
        public override string Name => "attention_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 4);
            var y = new AttentionOp(Scale).InferTypes(inputs[1..])[0];
            Require(inputs[0] == y, $"gradient {inputs[0]} must match the attention's output {y}");
            return inputs[1..];
        }
        /// <inheritdoc/>
        public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs)
        {
            Tensor dy = inputs[0], q = inputs[1], k = inputs[2], v = inputs[3];
            var p = AttentionOp.Weights(q, k, Scale);
            var dv = Ops.MatMul(p, dy, transposeA: true);
            var ds = Ops.SoftmaxGrad(Ops.MatMul(dy, v, transposeB: true), p, -1) * Scale;
            return [Ops.MatMul(ds, k), Ops.MatMul(ds, q, transposeA: true), dv];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Scaled dot-product attention's backward: the gradients of q, k and v from the output's gradient <paramref name="dy"/>.</summary>
        [Differentiable]
        public static (Tensor Dq, Tensor Dk, Tensor Dv) AttentionGrad(Tensor dy, Tensor q, Tensor k, Tensor v, double scale)
        {
            var o = q.Graph.Apply(new AttentionGradOp(scale), dy, q, k, v);
            return (o[0], o[1], o[2]);
        }
    }
}
