using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

public static partial class KernelTable
{
    static void RegisterAttention(Dictionary<Type, Kernel> t)
    {
        Add<AttentionOp>(t, Attention);
        AddMulti<AttentionGradOp>(t, (op, x, _) => AttentionBackward(op, x[0], x[1], x[2], x[3]));
    }

    /// <summary>
    /// libtorch's fused <c>scaled_dot_product_attention</c> (flash attention on CPU). TorchSharp
    /// binds it without its scale argument, which is then 1/√D: another scale is applied to q.
    /// </summary>
    internal static TT Attention(AttentionOp op, TT[] x)
    {
        double factor = op.Scale * Math.Sqrt(x[0].shape[^1]);
        if (Math.Abs(factor - 1) < 1e-12) return torch.nn.functional.scaled_dot_product_attention(x[0], x[1], x[2]);
        using var q = x[0] * factor;
        return torch.nn.functional.scaled_dot_product_attention(q, x[1], x[2]);
    }

    /// <summary>
    /// (dq, dk, dv) by libtorch's fused attention backward, which TorchSharp does not bind: autograd
    /// of the attention on detached q, k, v, so the forward is computed again (the native-backward
    /// plan pairs the gradient with the recorded forward instead). Under autograd (the test oracle)
    /// the graph of the gradients is kept, so they stay differentiable.
    /// </summary>
    static TT[] AttentionBackward(AttentionGradOp op, TT dy, TT q, TT k, TT v)
    {
        bool higherOrder = torch.is_grad_enabled() && new[] { dy, q, k, v }.Any(t => t.requires_grad);
        using var grad = torch.enable_grad();
        using var scope = torch.NewDisposeScope();
        TT[] leaves = higherOrder ? [q, k, v] : [.. new[] { q, k, v }.Select(t => t.detach().requires_grad_(true))];
        var y = Attention(new AttentionOp(op.Scale), leaves);
        var grads = torch.autograd.grad([y], leaves, [dy], retain_graph: higherOrder, create_graph: higherOrder);
        foreach (var g in grads) g.MoveToOuterDisposeScope();
        return [.. grads];
    }
}
