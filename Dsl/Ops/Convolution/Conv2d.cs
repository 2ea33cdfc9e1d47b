namespace Dsl;

/// <summary>Output spatial size of a 2-D window op.</summary>
internal static class ConvGeometry
{
    /// <summary>Output length, or 0 when the window does not fit (C# division truncates toward zero, so check first).</summary>
    public static int Out(int size, int kernel, int stride, int padding) =>
        size + 2 * padding < kernel ? 0 : (size + 2 * padding - kernel) / stride + 1;
}

/// <summary>2-D cross-correlation of x[N,C,H,W] with w[O,C,kh,kw] (square stride and padding, no bias).</summary>
public sealed record Conv2dOp(int Stride, int Padding) : Op
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
        Require(x.Shape[1] == w.Shape[1], $"input channels differ: x {x} has {x.Shape[1]}, weight {w} expects {w.Shape[1]}");
        Require(Stride >= 1 && Padding >= 0, $"stride {Stride} must be >= 1 and padding {Padding} >= 0");
        int ho = ConvGeometry.Out(x.Shape[2], w.Shape[2], Stride, Padding), wo = ConvGeometry.Out(x.Shape[3], w.Shape[3], Stride, Padding);
        Require(ho >= 1 && wo >= 1, $"kernel {w.Shape[2]}x{w.Shape[3]} is larger than the padded input {x}");
        return [new TensorType(new Shape(x.Shape[0], w.Shape[0], ho, wo), x.DType)];
    }
    /// <inheritdoc/>
    public override Tensor?[] Vjp(VjpContext c) =>
    [
        Ops.Conv2dInputGrad(c.Dy(), c.X(1), c.X(0).Shape, Stride, Padding),
        Ops.Conv2dWeightGrad(c.X(0), c.Dy(), c.X(1).Shape, Stride, Padding),
    ];
}

/// <summary>Gradient of conv2d with respect to its input (a transposed convolution of dy with w).</summary>
public sealed record Conv2dInputGradOp(Shape InputShape, int Stride, int Padding) : Op
{
    /// <inheritdoc/>
    public override string Name => "conv2d_input_grad";
    /// <inheritdoc/>
    public override TensorType[] InferTypes(TensorType[] inputs)
    {
        Arity(inputs, 2);
        TensorType dy = inputs[0], w = inputs[1];
        Require(dy.Shape.Rank == 4 && w.Shape.Rank == 4 && InputShape.Rank == 4, $"conv2d_input_grad needs 4-D dy and w, got {dy} and {w}");
        var expected = new Shape(InputShape[0], w.Shape[0],
            ConvGeometry.Out(InputShape[2], w.Shape[2], Stride, Padding), ConvGeometry.Out(InputShape[3], w.Shape[3], Stride, Padding));
        Require(dy.Shape == expected && w.Shape[1] == InputShape[1], $"dy {dy} and w {w} do not match a conv2d of input {InputShape}");
        return [new TensorType(InputShape, dy.DType)];
    }
    /// <inheritdoc/>
    public override Tensor?[] Vjp(VjpContext c) =>
    [
        Ops.Conv2d(c.Dy(), c.X(1), Stride, Padding),
        Ops.Conv2dWeightGrad(c.Dy(), c.X(0), c.X(1).Shape, Stride, Padding),
    ];
}

/// <summary>Gradient of conv2d with respect to its weight, from x and dy.</summary>
public sealed record Conv2dWeightGradOp(Shape WeightShape, int Stride, int Padding) : Op
{
    /// <inheritdoc/>
    public override string Name => "conv2d_weight_grad";
    /// <inheritdoc/>
    public override TensorType[] InferTypes(TensorType[] inputs)
    {
        Arity(inputs, 2);
        TensorType x = inputs[0], dy = inputs[1];
        Require(x.Shape.Rank == 4 && dy.Shape.Rank == 4 && WeightShape.Rank == 4, $"conv2d_weight_grad needs 4-D x and dy, got {x} and {dy}");
        var expected = new Shape(x.Shape[0], WeightShape[0],
            ConvGeometry.Out(x.Shape[2], WeightShape[2], Stride, Padding), ConvGeometry.Out(x.Shape[3], WeightShape[3], Stride, Padding));
        Require(dy.Shape == expected && x.Shape[1] == WeightShape[1], $"x {x} and dy {dy} do not match a conv2d with weight {WeightShape}");
        return [new TensorType(WeightShape, x.DType)];
    }
    /// <inheritdoc/>
    public override Tensor?[] Vjp(VjpContext c) =>
    [
        Ops.Conv2dInputGrad(c.X(1), c.Dy(), c.X(0).Shape, Stride, Padding),
        Ops.Conv2d(c.X(0), c.Dy(), Stride, Padding),
    ];
}

public static partial class Ops
{
    /// <summary>2-D convolution (cross-correlation), PyTorch layout: x [N,C,H,W], w [O,C,kh,kw].</summary>
    [Differentiable]
    public static Tensor Conv2d(Tensor x, Tensor weight, int stride = 1, int padding = 0) =>
        Apply(new Conv2dOp(stride, padding), x, weight);

    /// <summary>2-D convolution plus a per-channel bias [O].</summary>
    [Differentiable]
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor bias, int stride = 1, int padding = 0) =>
        Conv2d(x, weight, stride, padding) + Reshape(bias, new Shape(1, bias.Shape[0], 1, 1));

    /// <summary>dL/dx of a conv2d from dy and w.</summary>
    [Differentiable]
    public static Tensor Conv2dInputGrad(Tensor dy, Tensor weight, Shape inputShape, int stride, int padding) =>
        Apply(new Conv2dInputGradOp(inputShape, stride, padding), dy, weight);

    /// <summary>dL/dw of a conv2d from x and dy.</summary>
    [Differentiable]
    public static Tensor Conv2dWeightGrad(Tensor x, Tensor dy, Shape weightShape, int stride, int padding) =>
        Apply(new Conv2dWeightGradOp(weightShape, stride, padding), x, dy);
}
