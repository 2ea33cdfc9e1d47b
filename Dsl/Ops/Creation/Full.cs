using Dsl.Execution;
using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>A tensor filled with one value (scalars are rank 0). Has no inputs.</summary>
    public sealed record FullOp(Shape Shape, double Value, DType DType) : Op
    {
        /// <inheritdoc/>
        public override string Name => "full";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 0);
            return [new TensorType(Shape, DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [];
    }

    /// <summary>A constant tensor with data (e.g. a sin-cos position table). Has no inputs.</summary>
    public sealed record ConstantOp(HostTensor Value) : Op
    {
        /// <inheritdoc/>
        public override string Name => "constant";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 0);
            return [Value.Type];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [];

        /// <summary>Value equality on the data, so CSE merges identical tables.</summary>
        public bool Equals(ConstantOp? other) =>
            other is not null && Value.Type == other.Value.Type && Value.ToDoubles().AsSpan().SequenceEqual(other.Value.ToDoubles());

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(Value.Type, Value.Shape.Numel > 0 ? Value[0] : 0);
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>A tensor of one value.</summary>
        [NonDifferentiable]
        public static Tensor Full(Graph graph, Shape shape, double value, DType dtype = DType.Float32) =>
            graph.Apply(new FullOp(shape, value, dtype))[0];

        /// <summary>Zeros shaped and typed like x.</summary>
        [NonDifferentiable]
        public static Tensor ZerosLike(Tensor x) => Full(x.Graph, x.Shape, 0, x.DType);

        /// <summary>Ones shaped and typed like x.</summary>
        [NonDifferentiable]
        public static Tensor OnesLike(Tensor x) => Full(x.Graph, x.Shape, 1, x.DType);

        /// <summary>A constant tensor holding <paramref name="value"/>.</summary>
        [NonDifferentiable]
        public static Tensor Constant(Graph graph, HostTensor value) => graph.Apply(new ConstantOp(value))[0];
    }
}
