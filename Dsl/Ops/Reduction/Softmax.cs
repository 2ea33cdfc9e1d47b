namespace Dsl;

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
    public override Tensor?[] Vjp(VjpContext c)
    {
        var y = c.Y();
        var dot = Ops.Sum(c.Dy() * y, Axis, keepDims: true);
        return [y * (c.Dy() - dot)];
    }
}

/// <summary>log-softmax along an axis.</summary>
public sealed record LogSoftmaxOp(int Axis) : AxisOp(Axis)
{
    /// <inheritdoc/>
    public override string Name => "log_softmax";
    /// <inheritdoc/>
    public override Tensor?[] Vjp(VjpContext c) =>
        [c.Dy() - Ops.Exp(c.Y()) * Ops.Sum(c.Dy(), Axis, keepDims: true)];
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

public static partial class Ops
{
    /// <summary>softmax along an axis.</summary>
    [Differentiable]
    public static Tensor Softmax(Tensor x, int axis = -1) => Apply(new SoftmaxOp(NormAxis(x, axis)), x);
    /// <summary>log-softmax along an axis.</summary>
    [Differentiable]
    public static Tensor LogSoftmax(Tensor x, int axis = -1) => Apply(new LogSoftmaxOp(NormAxis(x, axis)), x);
    /// <summary>log Σ exp(x) along an axis.</summary>
    [Differentiable]
    public static Tensor LogSumExp(Tensor x, int axis = -1, bool keepDims = false) => Apply(new LogSumExpOp(NormAxis(x, axis), keepDims), x);
}
