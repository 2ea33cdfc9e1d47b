using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Element-wise selection: a where cond ≠ 0, else b (torch.where with the IR's float masks, as
    /// <see cref="Ops.Greater"/> and <see cref="Ops.Equal"/> make). All three broadcast (NumPy) to the
    /// output's shape and share a dtype. The mask gets no gradient.
    /// </summary>
    public sealed record WhereOp : Op
    {
        /// <inheritdoc/>
        public override string Name => "where";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 3);
            RequireFloat(inputs[0], "condition");
            Require(inputs.All(t => t.DType == inputs[0].DType), $"dtypes differ: {inputs[0]}, {inputs[1]}, {inputs[2]} (cast with Ops.Cast; the condition is a float mask)");
            var s = Shape.Broadcast(inputs[0].Shape, inputs[1].Shape);
            s = s is null ? null : Shape.Broadcast(s, inputs[2].Shape);
            Require(s is not null, $"shapes {inputs[0].Shape}, {inputs[1].Shape} and {inputs[2].Shape} do not broadcast");
            return [new TensorType(s!, inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            Tensor cond = c.X(0), dy = c.Dy();
            var zeros = Ops.ZerosLike(dy);
            return [null, Ops.SumToShape(Ops.Where(cond, dy, zeros), c.X(1).Shape), Ops.SumToShape(Ops.Where(cond, zeros, dy), c.X(2).Shape)];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>a where <paramref name="condition"/> ≠ 0, else b (a float mask; broadcasting).</summary>
        [Differentiable]
        public static Tensor Where(Tensor condition, Tensor a, Tensor b) => Apply(new WhereOp(), condition, a, b);
    }
}
