using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Plan;

/// <summary>
/// A forward node recorded by autograd for the one gradient node it serves: the forward's kernel
/// runs the op on detached copies of its inputs that require gradients (under
/// <c>torch.enable_grad()</c>) and returns the recorded output detached, so the graph sees exactly
/// the recorded values; the gradient node's kernel calls <c>torch.autograd.grad</c> once with its dy
/// (its input 0) and returns the gradients of all the forward's inputs, in order. libtorch then
/// runs its native backward kernel (layer_norm, batch_norm, softmax, gelu backward).
/// </summary>
/// <remarks>
/// Until the gradient node runs, autograd keeps what that backward saves (for softmax its output,
/// for layer norm its input and statistics) and the forward's inputs, which the plan keeps alive
/// to that node too (<see cref="NativeBackward.Apply"/>).
/// </remarks>
internal sealed class RecordedForward
{
    readonly Func<Op, TT[], TT[]> record;
    readonly Func<Op, TT[], TT[]>? extraOutputs;
    readonly int outputCount;
    TT[]? leaves;
    TT? recorded;

    /// <param name="record">The op's differentiated output from its inputs (the leaves), first; then either nothing or all its other outputs, where one kernel gives them at no extra cost (batch norm's statistics).</param>
    /// <param name="extraOutputs">Its other outputs, computed without autograd from the inputs, where <paramref name="record"/> gives only the first; null where nothing but the gradient node reads them (that node's kernel ignores them: empty tensors stand for them).</param>
    /// <param name="outputCount">The forward node's output count.</param>
    RecordedForward(Func<Op, TT[], TT[]> record, Func<Op, TT[], TT[]>? extraOutputs, int outputCount)
    {
        this.record = record;
        this.extraOutputs = extraOutputs;
        this.outputCount = outputCount;
    }

    /// <summary>
    /// The group pairing <paramref name="forward"/> with <paramref name="gradient"/>, sharing one
    /// recording; <paramref name="savesOutput"/>: autograd saves the recorded output (softmax), which
    /// must then not be overwritten in place.
    /// </summary>
    public static NativeBackwardGroup Group(Node forward, Node gradient, Func<Op, TT[], TT[]> record, Func<Op, TT[], TT[]>? extraOutputs = null, bool savesOutput = false)
    {
        var state = new RecordedForward(record, extraOutputs, forward.Outputs.Count);
        return new NativeBackwardGroup(forward, new Dictionary<Node, Kernel> { [forward] = state.RunForward, [gradient] = state.RunGradient }, gradient.Index, savesOutput);
    }

    /// <summary>True if a value is read by a node other than <paramref name="except"/>, or is a graph result.</summary>
    public static bool ReadElsewhere(Graph graph, Tensor value, Node except) =>
        graph.Outputs.Any(o => o.Value == value) || graph.Updates.Any(u => u.Value == value)
        || graph.Nodes.Any(n => n != except && n.Inputs.Contains(value));

    /// <summary>Drops a recording left by a run that failed part-way.</summary>
    void Reset()
    {
        recorded?.Dispose();
        foreach (var leaf in leaves ?? []) leaf.Dispose();
        recorded = null;
        leaves = null;
    }

    TT[] RunForward(Op op, TT[] inputs, KernelContext ctx)
    {
        Reset();
        leaves = [.. inputs.Select(x => x.detach().requires_grad_(true))];
        TT[] outputs;
        using (torch.enable_grad()) outputs = record(op, leaves);
        recorded = outputs[0];
        var y = recorded.detach();
        if (outputs.Length == outputCount) return [y, .. outputs.Skip(1)];
        if (extraOutputs is not null) return [y, .. extraOutputs(op, inputs)];
        return [y, .. Enumerable.Range(1, outputCount - 1).Select(_ => torch.empty(0, y.dtype, y.device))];
    }

    TT[] RunGradient(Op op, TT[] inputs, KernelContext ctx)
    {
        if (recorded is null) throw new InvalidOperationException($"The forward of {op.Name} was not recorded before its gradient was asked for.");
        try
        {
            return [.. torch.autograd.grad([recorded], leaves!, [inputs[0]])];
        }
        finally
        {
            Reset();
        }
    }
}
