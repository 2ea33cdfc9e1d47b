using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Base of elementwise binary ops with NumPy broadcasting; both inputs share a dtype.</summary>
    public abstract record BinaryOp : Op
    {
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            Require(inputs[0].DType == inputs[1].DType, $"dtypes differ: {inputs[0]} vs {inputs[1]} (cast one with Ops.Cast)");
            var s = Shape.Broadcast(inputs[0].Shape, inputs[1].Shape);
            Require(s is not null, $"shapes {inputs[0].Shape} and {inputs[1].Shape} do not broadcast");
            return [new TensorType(s!, inputs[0].DType)];
        }

        /// <summary>Reduces the two raw gradients to the input shapes.</summary>
        protected static Tensor?[] Unbroadcast(VjpContext c, Tensor? da, Tensor? db) =>
            [da is null ? null : Ops.SumToShape(da, c.X(0).Shape), db is null ? null : Ops.SumToShape(db, c.X(1).Shape)];
    }

    /// <summary>a + b.</summary>
    public sealed record AddOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "add";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => Unbroadcast(c, c.Dy(), c.Dy());
    }

    /// <summary>a - b.</summary>
    public sealed record SubOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "sub";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => Unbroadcast(c, c.Dy(), -c.Dy());
    }

    /// <summary>a * b.</summary>
    public sealed record MulOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "mul";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => Unbroadcast(c, c.Dy() * c.X(1), c.Dy() * c.X(0));
    }

    /// <summary>a / b.</summary>
    public sealed record DivOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "div";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var da = c.Dy() / c.X(1);
            return Unbroadcast(c, da, -(da * c.Y()));   // d(a/b)/db = -a/b^2 = -(1/b)(a/b)
        }
    }

    /// <summary>Elementwise maximum; ties split the gradient evenly (as PyTorch).</summary>
    public sealed record MaximumOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "maximum";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => MinMaxVjp(c, Ops.Greater(c.X(0), c.X(1)));

        internal static Tensor?[] MinMaxVjp(VjpContext c, Tensor aWins)
        {
            // weight of a: 1 where a wins, 0.5 on ties, 0 where b wins.
            var tie = Ops.Equal(c.X(0), c.X(1));
            var wa = aWins + tie * 0.5;
            var da = c.Dy() * wa;
            return Unbroadcast(c, da, c.Dy() - da);
        }
    }

    /// <summary>Elementwise minimum; ties split the gradient evenly (as PyTorch).</summary>
    public sealed record MinimumOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "minimum";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => MaximumOp.MinMaxVjp(c, Ops.Greater(c.X(1), c.X(0)));
    }

    /// <summary>1 where a &gt; b else 0, in the inputs' dtype. Not differentiable.</summary>
    public sealed record GreaterOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "greater";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null, null];
    }

    /// <summary>1 where a == b else 0, in the inputs' dtype. Not differentiable.</summary>
    public sealed record EqualOp : BinaryOp
    {
        /// <inheritdoc/>
        public override string Name => "equal";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null, null];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>a + b with broadcasting.</summary>
        [Differentiable]
        public static Tensor Add(Tensor a, Tensor b) => Apply(new AddOp(), a, b);
        /// <summary>a - b with broadcasting.</summary>
        [Differentiable]
        public static Tensor Sub(Tensor a, Tensor b) => Apply(new SubOp(), a, b);
        /// <summary>a * b with broadcasting.</summary>
        [Differentiable]
        public static Tensor Mul(Tensor a, Tensor b) => Apply(new MulOp(), a, b);
        /// <summary>a / b with broadcasting.</summary>
        [Differentiable]
        public static Tensor Div(Tensor a, Tensor b) => Apply(new DivOp(), a, b);
        /// <summary>Elementwise maximum with broadcasting.</summary>
        [Differentiable]
        public static Tensor Maximum(Tensor a, Tensor b) => Apply(new MaximumOp(), a, b);
        /// <summary>Elementwise minimum with broadcasting.</summary>
        [Differentiable]
        public static Tensor Minimum(Tensor a, Tensor b) => Apply(new MinimumOp(), a, b);
        /// <summary>1 where a &gt; b else 0 (a mask; stops the gradient).</summary>
        [NonDifferentiable]
        public static Tensor Greater(Tensor a, Tensor b) => Apply(new GreaterOp(), a, b);
        /// <summary>1 where a == b else 0 (a mask; stops the gradient).</summary>
        [NonDifferentiable]
        public static Tensor Equal(Tensor a, Tensor b) => Apply(new EqualOp(), a, b);
    }
}
