using Dsl;
using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;
using TorchSharp;

namespace WritingModels.UserOp;

/// <summary>
/// A user op: Swish / SiLU, y = x·σ(x). Declared in this assembly with its shape rule and its own
/// VJP (dy·(σ + x·σ·(1 − σ))), like the catalogue's ops; the generator reads the [Differentiable]
/// function below from metadata, so models call it as any Ops.* function.
/// </summary>
public sealed record SwishOp : Op
{
    /// <inheritdoc/>
    public override string Name => "swish";

    /// <inheritdoc/>
    public override TensorType[] InferTypes(TensorType[] inputs) =>
        inputs is [{ DType: DType.Float32 or DType.Float64 } x] ? [x] : throw new ShapeException("swish takes one floating-point tensor.");

    /// <inheritdoc/>
    public override Tensor?[] Vjp(VjpContext c)
    {
        var s = Ops.Sigmoid(c.X());
        return [c.Dy() * (s + c.X() * s * (1.0 - s))];
    }
}

/// <summary>The op's function and its Backend.Torch kernel.</summary>
public static class UserOps
{
    /// <summary>x·σ(x) through <see cref="SwishOp"/>.</summary>
    [Differentiable]
    public static Tensor Swish(Tensor x) => x.Graph.Apply(new SwishOp(), x)[0];

    /// <summary>
    /// Registers the TorchSharp kernel (once, before compiling a graph that uses the op). It must
    /// return a new tensor, never its input.
    /// </summary>
    public static void RegisterKernels() =>
        KernelTable.Register<SwishOp>((_, inputs) => inputs[0] * torch.sigmoid(inputs[0]));
}
