using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// The index (int64) of the largest element along one axis, the first of tied maxima (as
    /// torch.argmax). Not differentiable: its output is an index.
    /// </summary>
    public sealed record ArgMaxOp(int Axis, bool KeepDims) : Op
    {
        /// <inheritdoc/>
        public override string Name => "argmax";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            RequireFloat(inputs[0]);
            var s = inputs[0].Shape;
            Require(Axis >= 0 && Axis < s.Rank, $"axis {Axis} is out of range for {inputs[0]}");
            var dims = s.Select((d, i) => i != Axis ? d : KeepDims ? 1 : -1).Where(d => d >= 0).ToArray();
            return [new TensorType(new Shape(dims), DType.Int64)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Index of the maximum along <paramref name="axis"/> (int64; the first of ties). For the minimum's index, use ArgMax(-x).</summary>
        [NonDifferentiable]
        public static Tensor ArgMax(Tensor x, int axis = -1, bool keepDims = false) => Apply(new ArgMaxOp(NormAxis(x, axis), keepDims), x);
    }
}
