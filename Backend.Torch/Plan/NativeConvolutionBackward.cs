using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// Runs a convolution's gradients with libtorch's native <c>convolution_backward</c>, which
/// TorchSharp does not bind: the forward <c>conv2d</c> is recorded by autograd on detached inputs,
/// and where the graph asks for <c>conv2d_weight_grad(x, dy)</c> (and <c>conv2d_input_grad(dy, w)</c>
/// with the same dy) one <c>torch.autograd.grad</c> call computes both. The IR and its VJP rules are
/// unchanged: this is a kernel choice, checked against the unfused kernels in tests.
/// </summary>
/// <remarks>
/// The weight gradient depends only on (x, dy) and the input gradient only on (dy, w), so any
/// recorded conv of the same x, w and geometry gives them exactly; each recording serves one pair.
/// </remarks>
internal sealed class NativeConvolutionBackward
{
    readonly bool wantInput;
    TT? recorded, x, w, pendingInput, pendingWeight;

    NativeConvolutionBackward(bool wantInput) => this.wantInput = wantInput;

    /// <summary>Pairs each conv2d with a later weight gradient of the same x and geometry, groups included (and an input gradient sharing its dy).</summary>
    public static IEnumerable<NativeBackwardGroup> FindGroups(Graph graph)
    {
        var used = new HashSet<Node>();
        var weightGrads = graph.Nodes.Where(n => n.Op is Conv2dWeightGradOp).ToLookup(n => n.Inputs[0].Id);
        var inputGrads = graph.Nodes.Where(n => n.Op is Conv2dInputGradOp).ToLookup(n => (n.Inputs[0].Id, n.Inputs[1].Id));
        foreach (var conv in graph.Nodes.Where(n => n.Op is Conv2dOp))
        {
            var op = (Conv2dOp)conv.Op;
            var (x, w) = (conv.Inputs[0], conv.Inputs[1]);
            var candidates = weightGrads[x.Id].Where(g => !used.Contains(g) && g.Index > conv.Index
                && g.Op is Conv2dWeightGradOp wg && wg.Stride == op.Stride && wg.Padding == op.Padding && wg.Groups == op.Groups && wg.WeightShape == w.Shape
                && g.Inputs[1].Shape == conv.Output.Shape).ToArray();
            if (candidates.Length == 0) continue;
            Node? InputGradFor(Node weightGrad) => inputGrads[(weightGrad.Inputs[1].Id, w.Id)].FirstOrDefault(g => !used.Contains(g) && g.Index > conv.Index
                && g.Op is Conv2dInputGradOp ig && ig.Stride == op.Stride && ig.Padding == op.Padding && ig.Groups == op.Groups && ig.InputShape == x.Shape);
            var weightGrad = candidates.FirstOrDefault(g => InputGradFor(g) is not null) ?? candidates[0];
            var inputGrad = InputGradFor(weightGrad);
            used.Add(weightGrad);
            if (inputGrad is not null) used.Add(inputGrad);
            yield return Group(conv, weightGrad, inputGrad);
        }
    }

    /// <summary>The group's kernels, sharing one recording.</summary>
    static NativeBackwardGroup Group(Node conv, Node weightGrad, Node? inputGrad)
    {
        var state = new NativeConvolutionBackward(inputGrad is not null);
        var kernels = new Dictionary<Node, Kernel> { [conv] = state.RunForward, [weightGrad] = state.RunWeightGrad };
        if (inputGrad is not null) kernels[inputGrad] = state.RunInputGrad;
        return new NativeBackwardGroup(conv, kernels, Math.Min(weightGrad.Index, inputGrad?.Index ?? int.MaxValue));
    }

    /// <summary>Drops a recording left by a run that failed part-way.</summary>
    void Reset()
    {
        foreach (var t in new[] { recorded, x, w, pendingInput, pendingWeight }) t?.Dispose();
        recorded = x = w = pendingInput = pendingWeight = null;
    }

    TT[] RunForward(Op op, TT[] inputs, KernelContext ctx)
    {
        Reset();
        var conv = (Conv2dOp)op;
        using (var input = KernelTable.ConvolutionLayout(inputs[0], ctx)) x = input.detach();
        using (var weight = KernelTable.ConvolutionLayout(inputs[1], ctx)) w = weight.detach();
        if (wantInput) x.requires_grad_(true);
        w.requires_grad_(true);
        using (torch.enable_grad())
            recorded = KernelTable.Conv2d(conv, x, w);
        using var y = recorded.detach();
        return [KernelTable.ConvolutionLayout(y, ctx)];
    }

    TT[] RunWeightGrad(Op op, TT[] inputs, KernelContext ctx)
    {
        if (pendingWeight is null) Backward(inputs[1]);
        var dw = pendingWeight!;
        pendingWeight = null;
        return [dw];
    }

    TT[] RunInputGrad(Op op, TT[] inputs, KernelContext ctx)
    {
        if (pendingInput is null) Backward(inputs[0]);
        var dx = pendingInput!;
        pendingInput = null;
        return [dx];
    }

    void Backward(TT dy)
    {
        if (recorded is null) throw new InvalidOperationException("The convolution's forward was not recorded before its gradient was asked for.");
        var grads = torch.autograd.grad([recorded], wantInput ? [x!, w!] : [w!], [dy]);
        if (wantInput) (pendingInput, pendingWeight) = (grads[0], grads[1]);
        else pendingWeight = grads[0];
        recorded.Dispose();
        x!.Dispose();
        w!.Dispose();
        recorded = x = w = null;
    }
}
