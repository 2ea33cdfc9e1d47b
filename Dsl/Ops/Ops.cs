using Dsl.Operators;
namespace Dsl;

/// <summary>
/// The op catalogue as functions over symbolic tensors. Each function appends one node (a
/// primitive <see cref="Op"/>) or a few (composites such as <see cref="CrossEntropy"/>).
/// Primitive ops live beside their shape rule and VJP in <c>Dsl/Ops/&lt;family&gt;/</c>.
/// </summary>
public static partial class Ops
{
    static Tensor Apply(Op op, params Tensor[] inputs) => inputs[0].Graph.Apply(op, inputs)[0];

    /// <summary>
    /// Sums a broadcast gradient back to <paramref name="shape"/> (the VJP of broadcasting).
    /// </summary>
    [Differentiable]
    public static Tensor SumToShape(Tensor g, Shape shape)
    {
        if (g.Shape == shape) return g;
        int lead = g.Rank - shape.Rank;
        if (lead < 0) throw new ShapeException($"cannot sum {g.Type} down to the larger shape {shape}");
        var axes = new List<int>();
        for (int i = 0; i < g.Rank; i++)
            if (i < lead || (shape[i - lead] == 1 && g.Shape[i] != 1)) axes.Add(i);
        var summed = axes.Count == 0 ? g : Sum(g, axes.ToArray(), keepDims: false);
        return summed.Shape == shape ? summed : Reshape(summed, shape);
    }
}
