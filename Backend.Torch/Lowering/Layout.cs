using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterLayout(Dictionary<Type, Kernel> t)
    {
        Add<ReshapeOp>(t, (op, x) => x[0].reshape(op.Shape.ToLongArray()));
        Add<ExpandOp>(t, (op, x) => x[0].expand(op.Shape.ToLongArray()));
        Add<PermuteOp>(t, (op, x) => x[0].permute(op.Perm.ToLongArray()));
        Add<SliceOp>(t, (op, x) => x[0].slice(op.Axis, op.Start, op.End, op.Step));
        Add<SliceGradOp>(t, (op, x) =>
        {
            var full = torch.zeros(op.FullShape.ToLongArray(), x[0].dtype, x[0].device);
            int n = (int)x[0].shape[op.Axis];
            using var window = full.slice(op.Axis, op.Start, op.Start + (n - 1) * op.Step + 1, op.Step);
            window.copy_(x[0]);
            return full;
        });
        Add<ConcatOp>(t, (op, x) => torch.cat(x, op.Axis));
    }
}
