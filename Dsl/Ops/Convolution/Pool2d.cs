using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Base of 2-D pooling over [N,C,H,W] with a square window.</summary>
    public abstract record Pool2dOp(int Kernel, int Stride, int Padding) : Op
    {
        /// <summary>Output type for an input type.</summary>
        protected TensorType Pooled(TensorType x)
        {
            RequireFloat(x);
            Require(x.Shape.Rank == 4, $"{Name} needs [N,C,H,W], got {x}");
            Require(Kernel >= 1 && Stride >= 1 && Padding >= 0 && Padding * 2 <= Kernel, $"bad window: kernel {Kernel}, stride {Stride}, padding {Padding} (padding must be at most half the kernel)");
            int ho = ConvGeometry.Out(x.Shape[2], Kernel, Stride, Padding), wo = ConvGeometry.Out(x.Shape[3], Kernel, Stride, Padding);
            Require(ho >= 1 && wo >= 1, $"window {Kernel} is larger than the padded input {x}");
            return new TensorType(new Shape(x.Shape[0], x.Shape[1], ho, wo), x.DType);
        }
    }

    /// <summary>Max pooling; outputs the maxima and their flat indices within each H·W plane.</summary>
    public sealed record MaxPool2dOp(int Kernel, int Stride, int Padding) : Pool2dOp(Kernel, Stride, Padding)
    {
        /// <inheritdoc/>
        public override string Name => "max_pool2d";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            var y = Pooled(inputs[0]);
            return [y, y with { DType = DType.Int64 }];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c)
        {
            var x = c.X();
            int n = x.Shape[0], ch = x.Shape[1];
            var flatShape = new Shape(n, ch, x.Shape[2] * x.Shape[3]);
            var idx = Ops.Reshape(c.Y(1), n, ch, -1);
            var dy = Ops.Reshape(c.Dy(0), n, ch, -1);
            return [Ops.Reshape(Ops.ScatterAdd(dy, idx, 2, flatShape), x.Shape)];
        }
    }

    /// <summary>Average pooling (padding counts as zeros in the average, PyTorch's default).</summary>
    public sealed record AvgPool2dOp(int Kernel, int Stride, int Padding) : Pool2dOp(Kernel, Stride, Padding)
    {
        /// <inheritdoc/>
        public override string Name => "avg_pool2d";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            return [Pooled(inputs[0])];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
            [Ops.AvgPool2dGrad(c.Dy(), c.X().Shape, Kernel, Stride, Padding)];
    }

    /// <summary>The adjoint of average pooling: spreads each output gradient over its window.</summary>
    public sealed record AvgPool2dGradOp(Shape InputShape, int Kernel, int Stride, int Padding) : Op
    {
        /// <inheritdoc/>
        public override string Name => "avg_pool2d_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            var pooled = new AvgPool2dOp(Kernel, Stride, Padding).InferTypes([new TensorType(InputShape, inputs[0].DType)])[0];
            Require(pooled == inputs[0], $"{inputs[0]} is not the avg_pool2d output shape {pooled.Shape} of {InputShape}");
            return [new TensorType(InputShape, inputs[0].DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.AvgPool2d(c.Dy(), Kernel, Stride, Padding)];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>2-D max pooling (stride defaults to the kernel size).</summary>
        [Differentiable]
        public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) =>
            x.Graph.Apply(new MaxPool2dOp(kernel, stride ?? kernel, padding), x)[0];

        /// <summary>2-D average pooling (stride defaults to the kernel size).</summary>
        [Differentiable]
        public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0) =>
            Apply(new AvgPool2dOp(kernel, stride ?? kernel, padding), x);

        /// <summary>Mean over H and W of [N,C,H,W], giving [N,C].</summary>
        [Differentiable]
        public static Tensor GlobalAvgPool2d(Tensor x)
        {
            if (x.Rank != 4) throw new ShapeException($"Shape error in {Where(x)}, op global_avg_pool2d: needs [N,C,H,W], got {x.Type}");
            return Mean(x, [2, 3]);
        }
    }

    public static partial class Ops
    {
        /// <summary>The adjoint of <see cref="AvgPool2d"/> for an input of <paramref name="inputShape"/>.</summary>
        [Differentiable]
        public static Tensor AvgPool2dGrad(Tensor dy, Shape inputShape, int kernel, int stride, int padding) =>
            Apply(new AvgPool2dGradOp(inputShape, kernel, stride, padding), dy);
    }
}
