using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Reinterprets the elements (row-major) with a new shape of the same size.</summary>
    public sealed record ReshapeOp(Shape Shape) : Op
    {
        /// <inheritdoc/>
        public override string Name => "reshape";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            Require(inputs[0].Shape.Numel == Shape.Numel, $"cannot reshape {inputs[0]} ({inputs[0].Shape.Numel} elements) to {Shape} ({Shape.Numel} elements)");
            return [new TensorType(Shape, inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.Reshape(c.Dy(), c.X().Shape)];
    }

    /// <summary>Broadcasts to a larger shape (NumPy rules: size-1 or missing leading dims grow).</summary>
    public sealed record ExpandOp(Shape Shape) : Op
    {
        /// <inheritdoc/>
        public override string Name => "expand";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            Require(Dsl.Shape.Broadcast(inputs[0].Shape, Shape) == Shape, $"cannot expand {inputs[0]} to {Shape}");
            return [new TensorType(Shape, inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.SumToShape(c.Dy(), c.X().Shape)];
    }

    /// <summary>Converts the element type.</summary>
    public sealed record CastOp(DType To) : Op
    {
        /// <inheritdoc/>
        public override string Name => "cast";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            return [new TensorType(inputs[0].Shape, To)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
            [c.X().DType.IsFloat() && To.IsFloat() ? Ops.Cast(c.Dy(), c.X().DType) : null];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>New shape, same elements; one dimension may be -1 (inferred).</summary>
        [Differentiable]
        public static Tensor Reshape(Tensor x, Shape shape) => x.Shape == shape ? x : Apply(new ReshapeOp(shape), x);

        /// <summary>New shape, same elements; one dimension may be -1 (inferred).</summary>
        [Differentiable]
        public static Tensor Reshape(Tensor x, params int[] dims)
        {
            int infer = Array.IndexOf(dims, -1);
            if (infer >= 0)
            {
                long known = dims.Where(d => d != -1).Aggregate(1L, (a, b) => a * b);
                if (known == 0 || x.Shape.Numel % known != 0)
                    throw new ShapeException($"Shape error in {Where(x)}, op reshape: cannot infer -1 in [{string.Join(",", dims)}] for {x.Type}");
                dims = (int[])dims.Clone();
                dims[infer] = (int)(x.Shape.Numel / known);
            }
            return Reshape(x, new Shape(dims));
        }

        /// <summary>Broadcasts x to a shape.</summary>
        [Differentiable]
        public static Tensor Expand(Tensor x, Shape shape) => x.Shape == shape ? x : Apply(new ExpandOp(shape), x);

        /// <summary>Converts the element type.</summary>
        [Differentiable]
        public static Tensor Cast(Tensor x, DType to) => x.DType == to ? x : Apply(new CastOp(to), x);

        /// <summary>Flattens dimensions from <paramref name="startAxis"/> on into one.</summary>
        [Differentiable]
        public static Tensor Flatten(Tensor x, int startAxis = 1)
        {
            int s = NormAxis(x, startAxis);
            var dims = x.Shape.Take(s).Append((int)x.Shape.Skip(s).Aggregate(1L, (a, b) => a * b)).ToArray();
            return Reshape(x, new Shape(dims));
        }
    }
}
