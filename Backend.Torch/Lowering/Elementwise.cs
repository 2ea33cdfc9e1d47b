using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterElementwise(Dictionary<Type, Kernel> t)
    {
        Add<AddOp>(t, (_, x) => Plus(x[0], x[1]));
        Add<SubOp>(t, (_, x) => Minus(x[0], x[1]));
        Add<MulOp>(t, (_, x) => x[0] * x[1]);
        Add<DivOp>(t, (_, x) => x[0] / x[1]);
        Add<MaximumOp>(t, (_, x) => torch.maximum(x[0], x[1]));
        Add<MinimumOp>(t, (_, x) => torch.minimum(x[0], x[1]));
        Add<GreaterOp>(t, (_, x) => Mask(x[0].gt(x[1]), x[0]));
        Add<EqualOp>(t, (_, x) => Mask(x[0].eq(x[1]), x[0]));
        Add<NegOp>(t, (_, x) => x[0].neg());
        Add<ExpOp>(t, (_, x) => x[0].exp());
        Add<LogOp>(t, (_, x) => x[0].log());
        Add<SqrtOp>(t, (_, x) => x[0].sqrt());
        Add<RsqrtOp>(t, (_, x) => x[0].rsqrt());
        Add<PowScalarOp>(t, (op, x) =>
        {
            if (op.Exponent == 2) return x[0] * x[0];   // square() would make an implicit Scalar
            using var e = op.Exponent.ToScalar();
            return x[0].pow(e);
        });
        Add<AbsOp>(t, (_, x) => x[0].abs());
        Add<SignOp>(t, (_, x) => x[0].sign());
        Add<ReluOp>(t, (_, x) => x[0].relu());
        Add<ReluGradOp>(t, (_, x) => ReluBackward(x[0], x[1]));
        Add<ErfOp>(t, (_, x) => x[0].erf());
        Add<GeluOp>(t, (_, x) => x[0].gelu());
        Add<SigmoidOp>(t, (_, x) => x[0].sigmoid());
        Add<WhereOp>(t, (_, x) =>
        {
            using var mask = x[0].ne(Zero);
            return torch.where(mask, x[1], x[2]);
        });
        Add<SiluOp>(t, (_, x) => torch.nn.functional.silu(x[0]));
        Add<TanhOp>(t, (_, x) => x[0].tanh());
        Add<StopGradientOp>(t, (_, x) => x[0].alias());
        Add<CastOp>(t, (op, x) => x[0].to_type(op.To.ToTorch()));
    }

    /// <summary>
    /// dy where y &gt; 0, else 0, by libtorch's own ReLU backward (threshold_backward: one vectorized
    /// pass over dy and y), which TorchSharp does not bind: autograd of threshold(y, 0, 0) on a
    /// detached y, as PyTorch's relu backward (a NaN y passes dy). Measured on [256,64,14,14] f32,
    /// 2 cores: 1.3 ms, against 2.8 ms for dy·(y &gt; 0), 7.8 ms for where and 8.0 ms for masked_fill.
    /// </summary>
    static TT ReluBackward(TT dy, TT y)
    {
        // Under autograd (the test oracle) the result stays differentiable in dy.
        bool createGraph = torch.is_grad_enabled() && dy.requires_grad;
        using var grad = torch.enable_grad();
        using var leaf = y.detach().requires_grad_(true);
        using var relu = leaf.threshold(Zero, Zero);
        return torch.autograd.grad([relu], [leaf], [dy], create_graph: createGraph)[0];
    }

    /// <summary>A bool mask as 0/1 in the dtype of <paramref name="like"/>; frees the bool tensor.</summary>
    static TT Mask(TT mask, TT like)
    {
        using (mask) return mask.to_type(like.dtype);
    }
}
