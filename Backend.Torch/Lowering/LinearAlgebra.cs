using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterLinearAlgebra(Dictionary<Type, Kernel> t)
    {
        Add<MatMulOp>(t, (op, x) =>
        {
            // Transposes are views: matmul reads the strides, no copy.
            using var a = op.TransposeA ? x[0].transpose(-1, -2) : x[0].alias();
            using var b = op.TransposeB ? x[1].transpose(-1, -2) : x[1].alias();
            return torch.matmul(a, b);
        });
    }
}
