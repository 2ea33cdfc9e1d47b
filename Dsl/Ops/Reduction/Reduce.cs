using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Base of reductions over a set of axes (normalised, sorted, distinct).</summary>
    public abstract record ReduceOp(Ints Axes, bool KeepDims) : Op
    {
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            RequireFloat(inputs[0]);
            var s = inputs[0].Shape;
            foreach (var a in Axes) Require(a >= 0 && a < s.Rank, $"axis {a} is out of range for {inputs[0]}");
            return [new TensorType(ReducedShape(s), inputs[0].DType)];
        }

        /// <summary>The output shape for an input shape.</summary>
        public Shape ReducedShape(Shape s)
        {
            var dims = new List<int>();
            for (int i = 0; i < s.Rank; i++)
                if (!Axes.Contains(i)) dims.Add(s[i]);
                else if (KeepDims) dims.Add(1);
            return new Shape(dims.ToArray());
        }

        /// <summary>Brings a reduced-shape tensor back to the input shape by broadcasting.</summary>
        protected Tensor BroadcastBack(Tensor reduced, Shape inputShape)
        {
            var keep = inputShape.Select((d, i) => Axes.Contains(i) ? 1 : d).ToArray();
            return Ops.Expand(Ops.Reshape(reduced, new Shape(keep)), inputShape);
        }

        /// <summary>Number of elements reduced into each output element.</summary>
        protected long Count(Shape s) => Axes.Aggregate(1L, (n, a) => n * s[a]);
    }

    /// <summary>Sum over axes.</summary>
    public sealed record SumOp(Ints Axes, bool KeepDims) : ReduceOp(Axes, KeepDims)
    {
        /// <inheritdoc/>
        public override string Name => "sum";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [BroadcastBack(c.Dy(), c.X().Shape)];
    }

    /// <summary>Mean over axes.</summary>
    public sealed record MeanOp(Ints Axes, bool KeepDims) : ReduceOp(Axes, KeepDims)
    {
        /// <inheritdoc/>
        public override string Name => "mean";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [BroadcastBack(c.Dy() * (1.0 / Count(c.X().Shape)), c.X().Shape)];
    }

    /// <summary>Base of max and min over axes: the gradient is shared evenly among tied extrema (as torch.amax and torch.amin).</summary>
    public abstract record ExtremumOp(Ints Axes, bool KeepDims) : ReduceOp(Axes, KeepDims)
    {
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var x = c.X();
            var mask = Ops.Equal(x, BroadcastBack(c.Y(), x.Shape));
            var ties = BroadcastBack(Ops.Sum(mask, Axes.ToArray(), KeepDims), x.Shape);
            return [mask * BroadcastBack(c.Dy(), x.Shape) / ties];
        }
    }

    /// <summary>Maximum over axes; the gradient is shared evenly among tied maxima (as torch.amax).</summary>
    public sealed record MaxOp(Ints Axes, bool KeepDims) : ExtremumOp(Axes, KeepDims)
    {
        /// <inheritdoc/>
        public override string Name => "max";
    }

    /// <summary>Minimum over axes; the gradient is shared evenly among tied minima (as torch.amin).</summary>
    public sealed record MinOp(Ints Axes, bool KeepDims) : ExtremumOp(Axes, KeepDims)
    {
        /// <inheritdoc/>
        public override string Name => "min";
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Sum over the given axes (all axes when none are given).</summary>
        [Differentiable]
        public static Tensor Sum(Tensor x, int[]? axes = null, bool keepDims = false) => Apply(new SumOp(NormAxes(x, axes), keepDims), x);
        /// <summary>Sum over one axis.</summary>
        [Differentiable]
        public static Tensor Sum(Tensor x, int axis, bool keepDims = false) => Sum(x, [axis], keepDims);
        /// <summary>Mean over the given axes (all axes when none are given).</summary>
        [Differentiable]
        public static Tensor Mean(Tensor x, int[]? axes = null, bool keepDims = false) => Apply(new MeanOp(NormAxes(x, axes), keepDims), x);
        /// <summary>Mean over one axis.</summary>
        [Differentiable]
        public static Tensor Mean(Tensor x, int axis, bool keepDims = false) => Mean(x, [axis], keepDims);
        /// <summary>Maximum over the given axes (all axes when none are given).</summary>
        [Differentiable]
        public static Tensor Max(Tensor x, int[]? axes = null, bool keepDims = false) => Apply(new MaxOp(NormAxes(x, axes), keepDims), x);
        /// <summary>Maximum over one axis.</summary>
        [Differentiable]
        public static Tensor Max(Tensor x, int axis, bool keepDims = false) => Max(x, [axis], keepDims);
        /// <summary>Minimum over the given axes (all axes when none are given).</summary>
        [Differentiable]
        public static Tensor Min(Tensor x, int[]? axes = null, bool keepDims = false) => Apply(new MinOp(NormAxes(x, axes), keepDims), x);
        /// <summary>Minimum over one axis.</summary>
        [Differentiable]
        public static Tensor Min(Tensor x, int axis, bool keepDims = false) => Min(x, [axis], keepDims);

        static Ints NormAxes(Tensor x, int[]? axes)
        {
            if (axes is null) return new Ints(Enumerable.Range(0, x.Rank).ToArray());
            var norm = axes.Select(a => a < 0 ? a + x.Rank : a).ToArray();
            foreach (var (a, n) in axes.Zip(norm))
                if (n < 0 || n >= x.Rank)
                    throw new ShapeException($"Shape error in {Where(x)}: axis {a} is out of range for {x.Type}");
            return new Ints(norm.Distinct().OrderBy(a => a).ToArray());
        }

        static int NormAxis(Tensor x, int axis)
        {
            int n = axis < 0 ? axis + x.Rank : axis;
            if (n < 0 || n >= x.Rank) throw new ShapeException($"Shape error in {Where(x)}: axis {axis} is out of range for {x.Type}");
            return n;
        }

        static string Where(Tensor x) => x.Graph.CurrentScope.Length == 0 ? x.Graph.Name : x.Graph.CurrentScope;
    }
}
