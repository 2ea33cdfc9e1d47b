using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Base of ops normalising along one axis (softmax family).</summary>
    public abstract record AxisOp(int Axis) : Op
    {
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            RequireFloat(inputs[0]);
            Require(Axis >= 0 && Axis < inputs[0].Shape.Rank, $"axis {Axis} is out of range for {inputs[0]}");
            return [inputs[0]];
        }
    }

    /// <summary>softmax along an axis.</summary>
    public sealed record SoftmaxOp(int Axis) : AxisOp(Axis)
    {
        /// <inheritdoc/>
        public override string Name => "softmax";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.SoftmaxGrad(c.Dy(), c.Y(), Axis)];
    }

    /// <summary>log-softmax along an axis.</summary>
    public sealed record LogSoftmaxOp(int Axis) : AxisOp(Axis)
    {
        /// <inheritdoc/>
        public override string Name => "log_softmax";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.LogSoftmaxGrad(c.Dy(), c.Y(), Axis)];
    }

    /// <summary>log Σ exp(x) along an axis (numerically stable).</summary>
    public sealed record LogSumExpOp(int Axis, bool KeepDims) : Op
    {
        /// <inheritdoc/>
        public override string Name => "logsumexp";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            RequireFloat(inputs[0]);
            var s = inputs[0].Shape;
            Require(Axis >= 0 && Axis < s.Rank, $"axis {Axis} is out of range for {inputs[0]}");
            var dims = s.Where((_, i) => i != Axis || KeepDims).Select((d, i) => d).ToList();
            if (KeepDims) dims[Axis] = 1;
            return [new TensorType(new Shape(dims.ToArray()), inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var x = c.X();
            var keep = x.Shape.With(Axis, 1);
            var y = Ops.Reshape(c.Y(), keep);
            var dy = Ops.Reshape(c.Dy(), keep);
            return [dy * Ops.Exp(x - y)];
        }
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>softmax along an axis.</summary>
        [Differentiable]
        public static Tensor Softmax(Tensor x, int axis = -1) => Apply(new SoftmaxOp(NormAxis(x, axis)), x);
        /// <summary>log-softmax along an axis.</summary>
        [Differentiable]
        public static Tensor LogSoftmax(Tensor x, int axis = -1) => Apply(new LogSoftmaxOp(NormAxis(x, axis)), x);
        /// <summary>softmax's backward along an axis: y·(dy - Σ dy·y) (y: the softmax's output).</summary>
        [Differentiable]
        public static Tensor SoftmaxGrad(Tensor dy, Tensor y, int axis = -1) => Apply(new SoftmaxGradOp(NormAxis(y, axis)), dy, y);
        /// <summary>log-softmax's backward along an axis: dy - exp(y)·Σ dy (y: the log-softmax's output).</summary>
        [Differentiable]
        public static Tensor LogSoftmaxGrad(Tensor dy, Tensor y, int axis = -1) => Apply(new LogSoftmaxGradOp(NormAxis(y, axis)), dy, y);
        /// <summary>log Σ exp(x) along an axis.</summary>
        [Differentiable]
        public static Tensor LogSumExp(Tensor x, int axis = -1, bool keepDims = false) => Apply(new LogSumExpOp(NormAxis(x, axis), keepDims), x);
    }
}
