namespace Dsl.Operators;

/// <summary>
/// An op that stands for a formula over other ops, such as a backward kernel (layer norm's,
/// softmax's): a backend may run it as one kernel or lower its <see cref="Decompose"/>d form
/// instead. Its VJP is that of the decomposition, so its gradients (second order) need no rule
/// of their own.
/// </summary>
public abstract record DecomposableOp : Op
{
    /// <summary>
    /// The op's outputs computed by other ops from <paramref name="inputs"/> (values of one graph,
    /// of the types this op takes), appended to that graph.
    /// </summary>
    public abstract Tensor[] Decompose(IReadOnlyList<Tensor> inputs);

    /// <summary>The VJP of the decomposition built on the node's inputs, which are leaves: gradients stop there.</summary>
    public override Tensor?[] Vjp(VjpContext ctx)
    {
        var inputs = ctx.Node.Inputs;
        var outputs = Decompose(inputs);
        var seeds = Enumerable.Range(0, outputs.Length).Where(ctx.HasDy).Select(k => (outputs[k], ctx.Dy(k))).ToArray();
        var wrt = inputs.Where(x => x.DType.IsFloat()).Distinct().ToArray();
        var grads = Autodiff.Gradients(seeds, wrt, wrtAreLeaves: true);
        // A value passed twice gets its whole gradient at its first position: autodiff adds the
        // gradients of all positions.
        var result = new Tensor?[inputs.Count];
        var given = new HashSet<Tensor>();
        for (int i = 0; i < inputs.Count; i++)
            if (inputs[i].DType.IsFloat() && given.Add(inputs[i])) result[i] = grads[Array.IndexOf(wrt, inputs[i])];
        return result;
    }
}
