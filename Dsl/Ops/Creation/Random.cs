using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>
    /// Base of random ops. The single input is an i64[2] seed (seed, offset) fed per step, so runs are
    /// reproducible; <see cref="Stream"/> separates draws within one graph.
    /// </summary>
    public abstract record RandomOp(Shape Shape, DType DType, int Stream) : Op
    {
        /// <inheritdoc/>
        public override bool IsRandom => true;
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            Require(inputs[0] == new TensorType(new Shape(2), DType.Int64), $"the seed must be i64[2] (seed, offset), got {inputs[0]}");
            Require(DType.IsFloat(), $"random values must be floating point, got {DType}");
            return [new TensorType(Shape, DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null];
    }

    /// <summary>Uniform samples in [0, 1).</summary>
    public sealed record RandomUniformOp(Shape Shape, DType DType, int Stream) : RandomOp(Shape, DType, Stream)
    {
        /// <inheritdoc/>
        public override string Name => "random_uniform";
        /// <inheritdoc/>
        public override Op WithStream(int stream) => this with { Stream = stream };
    }

    /// <summary>Standard normal samples.</summary>
    public sealed record RandomNormalOp(Shape Shape, DType DType, int Stream) : RandomOp(Shape, DType, Stream)
    {
        /// <inheritdoc/>
        public override string Name => "random_normal";
        /// <inheritdoc/>
        public override Op WithStream(int stream) => this with { Stream = stream };
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>Uniform samples in [0,1) drawn from an i64[2] seed input.</summary>
        [NonDifferentiable]
        public static Tensor RandomUniform(Tensor seed, Shape shape, DType dtype = DType.Float32) => Apply(new RandomUniformOp(shape, dtype, 0), seed);

        /// <summary>Standard normal samples drawn from an i64[2] seed input.</summary>
        [NonDifferentiable]
        public static Tensor RandomNormal(Tensor seed, Shape shape, DType dtype = DType.Float32) => Apply(new RandomNormalOp(shape, dtype, 0), seed);

        /// <summary>Inverted dropout: zeroes elements with probability p and scales the rest by 1/(1-p).</summary>
        [Differentiable]
        public static Tensor Dropout(Tensor x, double p, Tensor seed)
        {
            if (p <= 0) return x;
            if (p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "Dropout probability must be below 1.");
            var keep = Greater(RandomUniform(seed, x.Shape, x.DType), x.Scalar(p));
            return x * keep * (1 / (1 - p));
        }
    }
}
