using Dsl.Operators;
namespace Dsl.Passes;

/// <summary>
/// Folds computations on fill constants (<see cref="FullOp"/>) into new fills, and removes
/// identities that change nothing: x·1, x/1, x+0, x-0 (when broadcasting does not grow x),
/// reshape/expand/permute/cast to the same type. Results are bit-identical.
/// </summary>
public static class ConstantFolding
{
    /// <summary>The graph with constants folded.</summary>
    public static Graph Run(Graph graph)
    {
        var rb = new GraphRebuilder(graph);
        foreach (var node in graph.Nodes)
        {
            var inputs = rb.Inputs(node);
            var fills = inputs.Select(FillValue).ToArray();
            if (node.Outputs.Count == 1 && TryFold(node, inputs, fills) is { } folded)
            {
                var value = folded.Fill is double v
                    ? rb.Target.AddInScope(new FullOp(node.Output.Shape, v, node.Output.DType), node.Scope)
                    : folded.Same!;
                rb.Replace(node.Output, value);
                continue;
            }
            rb.Copy(node);
        }
        return rb.Finish();
    }

    sealed record Folded(double? Fill, Tensor? Same);

    static double? FillValue(Tensor t) => t.Producer?.Op is FullOp f ? f.Value : null;

    static Folded? TryFold(Node node, Tensor[] inputs, double?[] fills)
    {
        var outType = node.Output.Type;
        bool allFill = fills.Length > 0 && fills.All(f => f is not null) && !node.Op.IsRandom;
        if (allFill && Evaluate(node.Op, fills.Select(f => f!.Value).ToArray(), inputs) is double v) return new(v, null);

        Tensor? Same(int i) => inputs[i].Type == outType ? inputs[i] : null;
        Tensor? same = node.Op switch
        {
            MulOp when fills[1] == 1 => Same(0),
            MulOp when fills[0] == 1 => Same(1),
            DivOp when fills[1] == 1 => Same(0),
            AddOp when fills[1] == 0 => Same(0),
            AddOp when fills[0] == 0 => Same(1),
            SubOp when fills[1] == 0 => Same(0),
            ReshapeOp or ExpandOp or PermuteOp { } when Same(0) is { } s && IsIdentityLayout(node.Op, inputs[0]) => s,
            CastOp or StopGradientOp when Same(0) is { } s => s,
            _ => null,
        };
        return same is null ? null : new(null, same);
    }

    static bool IsIdentityLayout(Op op, Tensor x) => op switch
    {
        PermuteOp p => p.Perm.SequenceEqual(Enumerable.Range(0, x.Rank)),
        _ => true,
    };

    /// <summary>The op applied to fill values (the result is a fill), or null if not foldable.</summary>
    static double? Evaluate(Op op, double[] v, Tensor[] inputs)
    {
        bool f32 = inputs[0].DType == DType.Float32;
        double? r = op switch
        {
            AddOp => v[0] + v[1],
            SubOp => v[0] - v[1],
            MulOp => v[0] * v[1],
            DivOp => v[0] / v[1],
            NegOp => -v[0],
            SqrtOp => Math.Sqrt(v[0]),
            PowScalarOp { Exponent: 2 } => v[0] * v[0],
            MaximumOp => Math.Max(v[0], v[1]),
            MinimumOp => Math.Min(v[0], v[1]),
            ReshapeOp or ExpandOp or PermuteOp or StopGradientOp => v[0],
            MaxOp => v[0],
            _ => null,
        };
        if (r is null) return null;
        // Only correctly rounded operations are folded (no exp/log), in the tensor's own precision,
        // so folded and unfolded graphs agree bit for bit.
        return f32 ? (double)(float)r.Value : r;
    }
}
