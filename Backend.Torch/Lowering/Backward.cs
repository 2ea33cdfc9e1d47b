using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

/// <summary>
/// The backward ops on their own: each computes its formula from its inputs (the gradient kernels
/// that libtorch runs natively when the forward is recorded are in <c>Plan/</c>).
/// </summary>
public static partial class KernelTable
{
    static void RegisterBackward(Dictionary<Type, Kernel> t)
    {
        Add<GeluGradOp>(t, (_, x) => GeluBackward(x[0], x[1]));
        Add<SoftmaxGradOp>(t, (op, x) =>
        {
            // y·(dy - Σ dy·y): one product pass fewer than the IR formula.
            using var products = x[0] * x[1];
            using var dot = products.sum([op.Axis], keepdim: true);
            using var centred = Minus(x[0], dot);
            return centred * x[1];
        });
        Add<LogSoftmaxGradOp>(t, (op, x) =>
        {
            using var total = x[0].sum([op.Axis], keepdim: true);
            using var softmax = x[1].exp();
            using var spread = softmax * total;
            return Minus(x[0], spread);
        });
        AddMulti<LayerNormGradOp>(t, (_, x, _) =>
            NormalizationBackward(x[0], x[1], x[2], x[3], x[4], [-1], [.. Enumerable.Range(0, (int)x[1].dim() - 1).Select(a => (long)a)]));
        AddMulti<BatchNormGradOp>(t, (op, x, _) =>
        {
            using var scope = torch.NewDisposeScope();
            var cs = Enumerable.Range(0, (int)x[1].dim()).Select(a => a == 1 ? x[1].shape[1] : 1L).ToArray();
            var axes = Enumerable.Range(0, (int)x[1].dim()).Where(a => a != 1).Select(a => (long)a).ToArray();
            var rstd = PlusConstant(x[4], op.Eps).rsqrt().view(cs);
            var grads = NormalizationBackward(x[0], x[1], x[2].view(cs), x[3].view(cs), rstd, axes, axes);
            foreach (var g in grads) g.MoveToOuterDisposeScope();
            return grads;
        });
    }

    /// <summary>
    /// dy·GELU'(x) by libtorch's gelu_backward (one vectorized pass), which TorchSharp does not bind:
    /// autograd of gelu on a detached x, so the forward is computed again (the native-backward plan
    /// pairs the gradient with the recorded forward instead). On 2 cores, f32 [128,17,256]: 2.0 ms
    /// against 4.2 ms for the seven-op formula. Under autograd (the test oracle) the formula, which
    /// stays differentiable in both inputs.
    /// </summary>
    static TT GeluBackward(TT dy, TT x)
    {
        if (torch.is_grad_enabled() && (dy.requires_grad || x.requires_grad))
        {
            using var scope = torch.NewDisposeScope();
            using var invSqrt2 = (1 / Math.Sqrt(2)).ToScalar();
            using var half = 0.5.ToScalar();
            using var minusHalf = (-0.5).ToScalar();
            using var invSqrt2Pi = (1 / Math.Sqrt(2 * Math.PI)).ToScalar();
            var cdf = (x * invSqrt2).erf().add(One, One) * half;
            var pdf = (x * x * minusHalf).exp() * invSqrt2Pi;
            return (dy * Plus(cdf, x * pdf)).MoveToOuterDisposeScope();
        }
        using var grad = torch.enable_grad();
        using var leaf = x.detach().requires_grad_(true);
        using var gelu = leaf.gelu();
        return torch.autograd.grad([gelu], [leaf], [dy])[0];
    }

    /// <summary>
    /// (dx, dγ, dβ) of a normalisation over <paramref name="axes"/> from its saved statistics (μ,
    /// rstd and γ broadcastable to x): dx = rstd·(dŷ - mean(dŷ) - x̂·mean(dŷ·x̂)) with dŷ = dy·γ;
    /// dγ and dβ sum over <paramref name="parameterAxes"/>, those γ is broadcast along.
    /// </summary>
    static TT[] NormalizationBackward(TT dy, TT x, TT gamma, TT mean, TT rstd, long[] axes, long[] parameterAxes)
    {
        using var scope = torch.NewDisposeScope();
        var xhat = Minus(x, mean) * rstd;
        var dxhat = dy * gamma;
        var dxhatMean = dxhat.mean(axes, keepdim: true);
        var projection = (dxhat * xhat).mean(axes, keepdim: true);
        var dx = Minus(Minus(dxhat, dxhatMean), xhat * projection) * rstd;
        // (An empty axis list would sum over everything.)
        var dgamma = parameterAxes.Length == 0 ? dy * xhat : (dy * xhat).sum(parameterAxes);
        var dbeta = parameterAxes.Length == 0 ? dy.clone() : dy.sum(parameterAxes);
        return [dx.MoveToOuterDisposeScope(), dgamma.MoveToOuterDisposeScope(), dbeta.MoveToOuterDisposeScope()];
    }
}
