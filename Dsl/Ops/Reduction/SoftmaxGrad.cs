namespace Dsl.Operators;

/// <summary>Base of the softmax family's backward ops: (dy, y) → dx along one axis, y the forward's output.</summary>
public abstract record AxisGradOp(int Axis) : DecomposableOp
{
    /// <inheritdoc/>
    public override TensorType[] InferTypes(TensorType[] inputs)
    {
        Arity(inputs, 2);
        RequireFloat(inputs[0], "gradient");
        RequireSameTypes(inputs, "gradient", "output");
        Require(Axis >= 0 && Axis < inputs[0].Shape.Rank, $"axis {Axis} is out of range for {inputs[0]}");
        return [inputs[0]];
    }
}

/// <summary>
/// softmax's backward in one op: y·(dy - Σ dy·y) along the axis (libtorch's
/// <c>_softmax_backward_data</c>: one pass instead of a product, a sum, a difference and a product).
/// </summary>
public sealed record SoftmaxGradOp(int Axis) : AxisGradOp(Axis)
{
    /// <inheritdoc/>
    public override string Name => "softmax_grad";
    /// <inheritdoc/>
    public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs)
    {
        Tensor dy = inputs[0], y = inputs[1];
        var dot = Ops.Sum(dy * y, Axis, keepDims: true);
        return [y * (dy - dot)];
    }
}

/// <summary>log-softmax's backward in one op: dy - exp(y)·Σ dy along the axis (libtorch's <c>_log_softmax_backward_data</c>).</summary>
public sealed record LogSoftmaxGradOp(int Axis) : AxisGradOp(Axis)
{
    /// <inheritdoc/>
    public override string Name => "log_softmax_grad";
    /// <inheritdoc/>
    public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs)
    {
        Tensor dy = inputs[0], y = inputs[1];
        return [dy - Ops.Exp(y) * Ops.Sum(dy, Axis, keepDims: true)];
    }
}
