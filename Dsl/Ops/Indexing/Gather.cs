using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Selects slices along an axis by a 1-D int64 index (torch.index_select, embedding lookup).</summary>
    public sealed record GatherOp(int Axis) : Op
    {
        /// <inheritdoc/>
        public override string Name => "gather";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType x = inputs[0], idx = inputs[1];
            Require(Axis >= 0 && Axis < x.Shape.Rank, $"axis {Axis} is out of range for {x}");
            Require(idx.DType == DType.Int64 && idx.Shape.Rank == 1, $"index must be a 1-D i64 tensor, got {idx}");
            return [new TensorType(x.Shape.With(Axis, idx.Shape[0]), x.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.IndexAdd(c.Dy(), c.X(1), Axis, c.X(0).Shape), null];
    }

    /// <summary>Adds slices of src into zeros of a shape at a 1-D index along an axis (gather's adjoint).</summary>
    public sealed record IndexAddOp(int Axis, Shape Shape) : Op
    {
        /// <inheritdoc/>
        public override string Name => "index_add";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType src = inputs[0], idx = inputs[1];
            Require(idx.DType == DType.Int64 && idx.Shape.Rank == 1, $"index must be a 1-D i64 tensor, got {idx}");
            Require(src.Shape == Shape.With(Axis, idx.Shape[0]), $"source {src} does not fit {Shape} indexed along axis {Axis} by {idx}");
            return [new TensorType(Shape, src.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.Gather(c.Dy(), c.X(1), Axis), null];
    }

    /// <summary>Picks elements along an axis by an index of the output's shape (torch.gather).</summary>
    public sealed record TakeAlongAxisOp(int Axis) : Op
    {
        /// <inheritdoc/>
        public override string Name => "take_along_axis";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType x = inputs[0], idx = inputs[1];
            Require(Axis >= 0 && Axis < x.Shape.Rank, $"axis {Axis} is out of range for {x}");
            Require(idx.DType == DType.Int64 && idx.Shape.Rank == x.Shape.Rank, $"index must be i64 of rank {x.Shape.Rank}, got {idx}");
            for (int d = 0; d < x.Shape.Rank; d++)
                Require(d == Axis || idx.Shape[d] == x.Shape[d], $"index {idx} must match {x} on every axis but {Axis}");
            return [new TensorType(idx.Shape, x.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.ScatterAdd(c.Dy(), c.X(1), Axis, c.X(0).Shape), null];
    }

    /// <summary>Adds src into zeros of a shape at positions given along an axis (take_along_axis's adjoint).</summary>
    public sealed record ScatterAddOp(int Axis, Shape Shape) : Op
    {
        /// <inheritdoc/>
        public override string Name => "scatter_add";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType src = inputs[0], idx = inputs[1];
            Require(idx.DType == DType.Int64 && idx.Shape == src.Shape, $"index must be i64 shaped like the source {src}, got {idx}");
            Require(src.Shape.Rank == Shape.Rank, $"source {src} must have the rank of {Shape}");
            for (int d = 0; d < Shape.Rank; d++)
                Require(d == Axis || src.Shape[d] == Shape[d], $"source {src} must match {Shape} on every axis but {Axis}");
            return [new TensorType(Shape, src.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.TakeAlongAxis(c.Dy(), c.X(1), Axis), null];
    }

    /// <summary>Indices that sort along an axis. Not differentiable.</summary>
    public sealed record ArgsortOp(int Axis, bool Descending) : Op
    {
        /// <inheritdoc/>
        public override string Name => "argsort";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            Require(Axis >= 0 && Axis < inputs[0].Shape.Rank, $"axis {Axis} is out of range for {inputs[0]}");
            return [new TensorType(inputs[0].Shape, DType.Int64)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Rows (or slices along <paramref name="axis"/>) picked by a 1-D i64 index.</summary>
        [Differentiable]
        public static Tensor Gather(Tensor x, Tensor index, int axis = 0) => Apply(new GatherOp(NormAxis(x, axis)), x, index);
        /// <summary>Adds src slices into zeros of <paramref name="shape"/> at index (gather's adjoint).</summary>
        [Differentiable]
        public static Tensor IndexAdd(Tensor src, Tensor index, int axis, Shape shape) => Apply(new IndexAddOp(axis, shape), src, index);
        /// <summary>torch.gather / numpy.take_along_axis.</summary>
        [Differentiable]
        public static Tensor TakeAlongAxis(Tensor x, Tensor index, int axis) => Apply(new TakeAlongAxisOp(NormAxis(x, axis)), x, index);
        /// <summary>Adds src into zeros of <paramref name="shape"/> along an axis (torch scatter_add).</summary>
        [Differentiable]
        public static Tensor ScatterAdd(Tensor src, Tensor index, int axis, Shape shape) => Apply(new ScatterAddOp(NormAxis(src, axis), shape), src, index);
        /// <summary>Indices that sort x along an axis (stops the gradient).</summary>
        [NonDifferentiable]
        public static Tensor Argsort(Tensor x, int axis = -1, bool descending = false) => Apply(new ArgsortOp(NormAxis(x, axis), descending), x);
    }
}
