using Dsl.Backend.Torch.Lowering;
using Dsl.Execution;
using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch;

/// <summary>
/// A reference for gradient checks: runs a graph's forward nodes eagerly on the Backend.Torch
/// kernels with TorchSharp autograd enabled and returns torch's own gradients. Only the forward
/// kernels are shared with the backend; the backward comes from libtorch's derivative formulas,
/// independent of the graph's VJP rules and of generated Backward code.
/// </summary>
public static class TorchAutograd
{
    /// <summary>
    /// d(sum(<paramref name="output"/> · <paramref name="cotangent"/>))/d(w) for each w of
    /// <paramref name="wrt"/> (inputs or persistent values fed in <paramref name="feeds"/>, by name);
    /// zeros where the output does not depend on w.
    /// </summary>
    public static HostTensor[] Gradients(Graph graph, Tensor output, IReadOnlyDictionary<string, HostTensor> feeds, HostTensor cotangent, IReadOnlyList<Tensor> wrt)
    {
        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var ctx = new KernelContext(torch.CPU);
        var env = new Dictionary<int, TT>();
        foreach (var input in graph.Inputs.Concat(graph.Persistent))
        {
            if (!feeds.TryGetValue(input.Name!, out var fed)) continue;
            var t = fed.ToTorch(torch.CPU);
            if (wrt.Contains(input)) t.requires_grad_(true);
            env[input.Id] = t;
        }
        foreach (var node in graph.Nodes)
        {
            if (node.Index > output.Producer!.Index) break;
            var args = node.Inputs.Select(i => env[i.Id]).ToArray();
            // The backend's identity kernel is a view; the reference must cut the tape here.
            var outs = node.Op is StopGradientOp ? [args[0].detach()] : KernelTable.For(node.Op)(node.Op, args, ctx);
            for (int k = 0; k < outs.Length; k++) env[node.Outputs[k].Id] = outs[k];
        }
        var loss = (env[output.Id] * cotangent.ToTorch(torch.CPU)).sum();
        loss.backward();
        return wrt.Select(w => env[w.Id].grad is { } g ? g.ToHost(w.DType) : HostTensor.Filled(w.Shape, w.DType, 0)).ToArray();
    }
}
