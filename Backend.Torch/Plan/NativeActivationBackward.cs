using Dsl.Operators;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// GELU, softmax and log-softmax gradients through libtorch's native backward kernels
/// (<c>gelu_backward</c>, <c>_softmax_backward_data</c>, <c>_log_softmax_backward_data</c>): each
/// forward node is recorded by autograd and its gradient node (<c>gelu_grad</c> of the same x,
/// <c>softmax_grad</c> / <c>log_softmax_grad</c> of the same y and axis) gets dx from one
/// <c>torch.autograd.grad</c> call (see <see cref="RecordedForward"/>).
/// </summary>
internal static class NativeActivationBackward
{
    /// <summary>
    /// Softmax rows shorter than this keep the unfused gradient kernel. Forward plus backward over
    /// 10^6 f32 values, one thread: rows of 17, 8.8 ms recorded + native against 7.3 ms for the
    /// four-op formula; rows of 64, 1.4 against 1.8 ms; rows of 197, 1.75 against 1.9 ms. Recording
    /// also keeps the softmax's input alive until its gradient.
    /// </summary>
    internal const int MinSoftmaxRow = 64;

    /// <summary>Each GELU, softmax and log-softmax with the first later gradient node of the same value.</summary>
    public static IEnumerable<NativeBackwardGroup> FindGroups(Graph graph)
    {
        // gelu_grad(dy, x) reads the forward's input, softmax_grad(dy, y) its output.
        var gradients = graph.Nodes.Where(n => n.Op is GeluGradOp or SoftmaxGradOp or LogSoftmaxGradOp).ToLookup(n => n.Inputs[1].Id);
        var used = new HashSet<Node>();
        foreach (var forward in graph.Nodes)
        {
            Func<Op, TT[], TT[]>? record = forward.Op switch
            {
                GeluOp => (_, x) => [x[0].gelu()],
                SoftmaxOp s when forward.Inputs[0].Shape[s.Axis] >= MinSoftmaxRow => (op, x) => [x[0].softmax(((SoftmaxOp)op).Axis)],
                LogSoftmaxOp s when forward.Inputs[0].Shape[s.Axis] >= MinSoftmaxRow => (op, x) => [x[0].log_softmax(((LogSoftmaxOp)op).Axis)],
                _ => null,
            };
            if (record is null) continue;
            var key = forward.Op is GeluOp ? forward.Inputs[0] : forward.Output;
            bool Pairs(Node g) => g.Index > forward.Index && !used.Contains(g) && (forward.Op, g.Op) switch
            {
                (GeluOp, GeluGradOp) => true,
                (SoftmaxOp s, SoftmaxGradOp sg) => s.Axis == sg.Axis,
                (LogSoftmaxOp s, LogSoftmaxGradOp sg) => s.Axis == sg.Axis,
                _ => false,
            };
            if (gradients[key.Id].FirstOrDefault(Pairs) is not { } gradient) continue;
            used.Add(gradient);
            // softmax and log-softmax backward read their output, gelu backward its input.
            yield return RecordedForward.Group(forward, gradient, record, savesOutput: forward.Op is not GeluOp);
        }
    }
}
