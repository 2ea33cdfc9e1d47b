using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Output spatial size of a 2-D window op.</summary>
    internal static class ConvGeometry
    {
        /// <summary>Output length, or 0 when the window does not fit (C# division truncates toward zero, so check first).</summary>
        public static int Out(int size, int kernel, int stride, int padding) =>
            size + 2 * padding < kernel ? 0 : (size + 2 * padding - kernel) / stride + 1;
    }

    /// <summary>
    /// The channel grouping of a convolution: <c>Groups</c> splits x's C channels and the O filters
    /// into that many groups, each filter seeing only its group's C/Groups channels (w [O, C/Groups, kh, kw],
    /// PyTorch's layout); Groups = C is a depthwise convolution.
    /// </summary>
    internal static class ConvGroups
    {
        /// <summary>Throws a <see cref="ShapeException"/> unless groups divides both channel counts and the weight holds C/groups channels.</summary>
        public static void Check(string op, int groups, int inChannels, int outChannels, int weightChannels, string shapes)
        {
            if (groups < 1)
                throw new ShapeException($"{op} needs groups >= 1, got {groups}");
            if (inChannels % groups != 0 || outChannels % groups != 0)
                throw new ShapeException($"{op} with groups={groups} needs input channels ({inChannels}) and output channels ({outChannels}) divisible by {groups}: {shapes}; choose a groups value that divides both");
            if (weightChannels * groups != inChannels)
                throw new ShapeException($"input channels differ: {shapes}: with groups={groups} the weight's dimension 1 must be {inChannels}/{groups} = {inChannels / groups}, got {weightChannels}");
        }
    }

    /// <summary>2-D cross-correlation of x[N,C,H,W] with w[O,C/Groups,kh,kw] (square stride and padding, no bias).</summary>
    public sealed record Conv2dOp(int Stride, int Padding, int Groups = 1) : Op
    {
        /// <inheritdoc/>
        public override string Name => "conv2d";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType x = inputs[0], w = inputs[1];
            RequireFloat(x);
            Require(x.DType == w.DType, $"dtypes differ: {x} vs {w}");
            Require(x.Shape.Rank == 4 && w.Shape.Rank == 4, $"conv2d needs x [N,C,H,W] and w [O,C,kh,kw], got {x} and {w}");
            if (Groups == 1)
                Require(x.Shape[1] == w.Shape[1], $"input channels differ: x {x} has {x.Shape[1]}, weight {w} expects {w.Shape[1]}");
            else
                ConvGroups.Check(Name, Groups, x.Shape[1], w.Shape[0], w.Shape[1], $"x {x}, weight {w}");
            Require(Stride >= 1 && Padding >= 0, $"stride {Stride} must be >= 1 and padding {Padding} >= 0");
            int ho = ConvGeometry.Out(x.Shape[2], w.Shape[2], Stride, Padding), wo = ConvGeometry.Out(x.Shape[3], w.Shape[3], Stride, Padding);
            Require(ho >= 1 && wo >= 1, $"kernel {w.Shape[2]}x{w.Shape[3]} is larger than the padded input {x}");
            return [new TensorType(new Shape(x.Shape[0], w.Shape[0], ho, wo), x.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
        [
            Ops.Conv2dInputGrad(c.Dy(), c.X(1), c.X(0).Shape, Stride, Padding, Groups),
            Ops.Conv2dWeightGrad(c.X(0), c.Dy(), c.X(1).Shape, Stride, Padding, Groups),
        ];
    }

    /// <summary>Gradient of conv2d with respect to its input (a transposed convolution of dy with w, group by group).</summary>
    public sealed record Conv2dInputGradOp(Shape InputShape, int Stride, int Padding, int Groups = 1) : Op
    {
        /// <inheritdoc/>
        public override string Name => "conv2d_input_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType dy = inputs[0], w = inputs[1];
            Require(dy.Shape.Rank == 4 && w.Shape.Rank == 4 && InputShape.Rank == 4, $"conv2d_input_grad needs 4-D dy and w, got {dy} and {w}");
            Require(Groups >= 1, $"conv2d_input_grad needs groups >= 1, got {Groups}");
            var expected = new Shape(InputShape[0], w.Shape[0],
                ConvGeometry.Out(InputShape[2], w.Shape[2], Stride, Padding), ConvGeometry.Out(InputShape[3], w.Shape[3], Stride, Padding));
            Require(dy.Shape == expected && w.Shape[1] * Groups == InputShape[1] && w.Shape[0] % Groups == 0,
                $"dy {dy} and w {w} do not match a conv2d of input {InputShape}{(Groups == 1 ? "" : $" with groups={Groups}")}");
            return [new TensorType(InputShape, dy.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
        [
            Ops.Conv2d(c.Dy(), c.X(1), Stride, Padding, Groups),
            Ops.Conv2dWeightGrad(c.Dy(), c.X(0), c.X(1).Shape, Stride, Padding, Groups),
        ];
    }

    /// <summary>Gradient of conv2d with respect to its weight, from x and dy (each filter from its group's channels).</summary>
    public sealed record Conv2dWeightGradOp(Shape WeightShape, int Stride, int Padding, int Groups = 1) : Op
    {
        /// <inheritdoc/>
        public override string Name => "conv2d_weight_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            TensorType x = inputs[0], dy = inputs[1];
            Require(x.Shape.Rank == 4 && dy.Shape.Rank == 4 && WeightShape.Rank == 4, $"conv2d_weight_grad needs 4-D x and dy, got {x} and {dy}");
            Require(Groups >= 1, $"conv2d_weight_grad needs groups >= 1, got {Groups}");
            var expected = new Shape(x.Shape[0], WeightShape[0],
                ConvGeometry.Out(x.Shape[2], WeightShape[2], Stride, Padding), ConvGeometry.Out(x.Shape[3], WeightShape[3], Stride, Padding));
            Require(dy.Shape == expected && x.Shape[1] == WeightShape[1] * Groups && WeightShape[0] % Groups == 0,
                $"x {x} and dy {dy} do not match a conv2d with weight {WeightShape}{(Groups == 1 ? "" : $" and groups={Groups}")}");
            return [new TensorType(WeightShape, x.DType)];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
        [
            Ops.Conv2dInputGrad(c.X(1), c.Dy(), c.X(0).Shape, Stride, Padding, Groups),
            Ops.Conv2d(c.X(0), c.Dy(), Stride, Padding, Groups),
        ];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>
        /// 2-D convolution (cross-correlation), PyTorch layout: x [N,C,H,W], w [O,C/groups,kh,kw].
        /// <paramref name="groups"/> &gt; 1 is a grouped convolution (C and O divisible by it);
        /// groups = C is depthwise (PyTorch's <c>groups</c> argument).
        /// </summary>
        [Differentiable]
        public static Tensor Conv2d(Tensor x, Tensor weight, int stride = 1, int padding = 0, int groups = 1) =>
            Apply(new Conv2dOp(stride, padding, groups), x, weight);

        /// <summary>2-D convolution plus a per-channel bias [O].</summary>
        [Differentiable]
        public static Tensor Conv2d(Tensor x, Tensor weight, Tensor bias, int stride = 1, int padding = 0, int groups = 1) =>
            Conv2d(x, weight, stride, padding, groups) + Reshape(bias, new Shape(1, bias.Shape[0], 1, 1));

        /// <summary>dL/dx of a conv2d from dy and w.</summary>
        [Differentiable]
        public static Tensor Conv2dInputGrad(Tensor dy, Tensor weight, Shape inputShape, int stride, int padding, int groups = 1) =>
            Apply(new Conv2dInputGradOp(inputShape, stride, padding, groups), dy, weight);

        /// <summary>dL/dw of a conv2d from x and dy.</summary>
        [Differentiable]
        public static Tensor Conv2dWeightGrad(Tensor x, Tensor dy, Shape weightShape, int stride, int padding, int groups = 1) =>
            Apply(new Conv2dWeightGradOp(weightShape, stride, padding, groups), x, dy);
    }
}
