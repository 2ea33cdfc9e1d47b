using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterNormalization(Dictionary<Type, Kernel> t)
    {
        AddMulti<LayerNormOp>(t, (op, x, _) =>
        {
            using var scope = torch.NewDisposeScope();
            var (variance, mean) = x[0].var_mean(-1, unbiased: false, keepdim: true);
            var rstd = PlusConstant(variance, op.Eps).rsqrt();
            var y = Plus(Minus(x[0], mean) * rstd * x[1], x[2]);
            return [y.MoveToOuterDisposeScope(), mean.MoveToOuterDisposeScope(), rstd.MoveToOuterDisposeScope()];
        });
        AddMulti<BatchNormOp>(t, (op, x, _) =>
        {
            using var scope = torch.NewDisposeScope();
            var axes = Enumerable.Range(0, (int)x[0].dim()).Where(a => a != 1).Select(a => (long)a).ToArray();
            var cs = Enumerable.Range(0, (int)x[0].dim()).Select(a => a == 1 ? x[0].shape[1] : 1L).ToArray();
            var (variance, mean) = x[0].var_mean(axes, unbiased: false, keepdim: true);
            var y = Plus(Minus(x[0], mean) * PlusConstant(variance, op.Eps).rsqrt() * x[1].view(cs), x[2].view(cs));
            return [y.MoveToOuterDisposeScope(), mean.flatten().MoveToOuterDisposeScope(), variance.flatten().MoveToOuterDisposeScope()];
        });
    }
}
