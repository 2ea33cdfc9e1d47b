using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

/// <summary>
/// Overwrites input <c>index</c> of an op with the op's result and returns that same tensor; used
/// by the plan only where that input dies at the op and shares its storage with no live value.
/// </summary>
public delegate TT InPlaceKernel(TT[] inputs, int index);

public static partial class KernelTable
{
    static readonly Dictionary<Type, (InPlaceKernel Kernel, bool Commutative)> InPlaceKernels = new()
    {
        [typeof(AddOp)] = ((x, i) => x[i].add_(x[1 - i], One!), true),
        [typeof(MulOp)] = ((x, i) => x[i].mul_(x[1 - i]), true),
        [typeof(SubOp)] = ((x, _) => x[0].add_(x[1], MinusOne!), false),
        [typeof(DivOp)] = ((x, _) => x[0].div_(x[1]), false),
        [typeof(ReluOp)] = ((x, _) => x[0].relu_(), false),
        [typeof(NegOp)] = ((x, _) => x[0].neg_(), false),
        [typeof(ExpOp)] = ((x, _) => x[0].exp_(), false),
        [typeof(SqrtOp)] = ((x, _) => x[0].sqrt_(), false),
        [typeof(RsqrtOp)] = ((x, _) => x[0].rsqrt_(), false),
        [typeof(TanhOp)] = ((x, _) => x[0].tanh_(), false),
        [typeof(SigmoidOp)] = ((x, _) => x[0].sigmoid_(), false),
    };

    /// <summary>
    /// The in-place form of an op writing into input <paramref name="index"/>, or null when there is
    /// none (input 0 always; input 1 only for commutative ops).
    /// </summary>
    public static InPlaceKernel? InPlaceFor(Op op, int index) =>
        InPlaceKernels.TryGetValue(op.GetType(), out var k) && (index == 0 || k.Commutative && index == 1) ? k.Kernel : null;
}
