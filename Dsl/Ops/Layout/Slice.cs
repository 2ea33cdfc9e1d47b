using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Elements Start, Start+Step, … below End along one axis.</summary>
    public sealed record SliceOp(int Axis, int Start, int End, int Step) : Op
    {
        /// <inheritdoc/>
        public override string Name => "slice";
        /// <summary>Number of elements kept along the axis.</summary>
        public int Length => Math.Max(0, (End - Start + Step - 1) / Step);
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            var s = inputs[0].Shape;
            Require(Axis >= 0 && Axis < s.Rank, $"axis {Axis} is out of range for {inputs[0]}");
            Require(Step >= 1, $"slice step must be >= 1, got {Step}");
            Require(0 <= Start && Start <= End && End <= s[Axis], $"slice [{Start}:{End}] is outside axis {Axis} of {inputs[0]}");
            return [new TensorType(s.With(Axis, Length), inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
            [Ops.SliceGrad(c.Dy(), c.X().Shape, Axis, Start, Step)];
    }

    /// <summary>
    /// The adjoint of <see cref="SliceOp"/>: places a slice back into zeros of the full shape.
    /// </summary>
    public sealed record SliceGradOp(Shape FullShape, int Axis, int Start, int Step) : Op
    {
        /// <inheritdoc/>
        public override string Name => "slice_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            var s = inputs[0].Shape;
            Require(s.Rank == FullShape.Rank && s.With(Axis, FullShape[Axis]) == FullShape, $"{inputs[0]} is not a slice along axis {Axis} of {FullShape}");
            Require(Start + (s[Axis] - 1) * Step < FullShape[Axis] || s[Axis] == 0, $"slice of {s[Axis]} from {Start} by {Step} overruns {FullShape}");
            return [new TensorType(FullShape, inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
            [Ops.Slice(c.Dy(), Axis, Start, Start + (c.X().Shape[Axis] - 1) * Step + 1, Step)];
    }

    /// <summary>Joins tensors along an axis.</summary>
    public sealed record ConcatOp(int Axis) : Op
    {
        /// <inheritdoc/>
        public override string Name => "concat";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Require(inputs.Length >= 1, "concat needs at least one input");
            var s0 = inputs[0].Shape;
            Require(Axis >= 0 && Axis < s0.Rank, $"axis {Axis} is out of range for {inputs[0]}");
            int total = 0;
            foreach (var t in inputs)
            {
                Require(t.DType == inputs[0].DType && t.Shape.Rank == s0.Rank && t.Shape.With(Axis, s0[Axis]) == s0,
                    $"{t} does not match {inputs[0]} outside axis {Axis}");
                total += t.Shape[Axis];
            }
            return [new TensorType(s0.With(Axis, total), inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var grads = new Tensor?[c.Node.Inputs.Count];
            int offset = 0;
            for (int i = 0; i < grads.Length; i++)
            {
                int n = c.X(i).Shape[Axis];
                grads[i] = Ops.Slice(c.Dy(), Axis, offset, offset + n);
                offset += n;
            }
            return grads;
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>x[start:end:step] along an axis (negative start/end count from the end).</summary>
        [Differentiable]
        public static Tensor Slice(Tensor x, int axis, int start, int end, int step = 1)
        {
            int a = NormAxis(x, axis), n = x.Shape[a];
            int s = start < 0 ? start + n : start, e = end < 0 ? end + n : Math.Min(end, n);
            if (s == 0 && e == n && step == 1) return x;
            return Apply(new SliceOp(a, s, e, step), x);
        }

        /// <summary>Scatters <paramref name="slice"/> into zeros of <paramref name="fullShape"/> (slice's adjoint).</summary>
        [Differentiable]
        public static Tensor SliceGrad(Tensor slice, Shape fullShape, int axis, int start, int step = 1) =>
            slice.Shape == fullShape ? slice : Apply(new SliceGradOp(fullShape, axis, start, step), slice);

        /// <summary>Joins tensors along an axis.</summary>
        [Differentiable]
        public static Tensor Concat(int axis, params Tensor[] xs) =>
            xs.Length == 1 ? xs[0] : xs[0].Graph.Apply(new ConcatOp(NormAxis(xs[0], axis)), xs)[0];
    }
}
