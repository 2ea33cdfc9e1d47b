using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterReductions(Dictionary<Type, Kernel> t)
    {
        Add<SumOp>(t, (op, x) => x[0].sum(op.Axes.ToLongArray(), op.KeepDims));
        Add<MeanOp>(t, (op, x) => x[0].mean(op.Axes.ToLongArray(), op.KeepDims));
        Add<MaxOp>(t, (op, x) => x[0].amax(op.Axes.ToLongArray(), op.KeepDims));
        Add<MinOp>(t, (op, x) => x[0].amin(op.Axes.ToLongArray(), op.KeepDims));
        Add<ArgMaxOp>(t, (op, x) => x[0].argmax(op.Axis, op.KeepDims));
        Add<SoftmaxOp>(t, (op, x) => x[0].softmax(op.Axis));
        Add<LogSoftmaxOp>(t, (op, x) => x[0].log_softmax(op.Axis));
        Add<LogSumExpOp>(t, (op, x) => x[0].logsumexp(op.Axis, op.KeepDims));
    }
}
