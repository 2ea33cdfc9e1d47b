using Dsl.Operators;
namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// An op's rank policy. Ranks ≤ 4 are described as 4-D tensors (leading 1s). A node with a tensor
/// of rank above 4 is rewritten, before lowering, by <see cref="Coalesce"/> to an equivalent node
/// (or chain of nodes, the first reading the node's inputs, each later one the previous output)
/// of rank ≤ <see cref="MaxDimensions"/> over the same packed buffers: size-1 dimensions are
/// dropped and neighbouring dimensions merged wherever every operand reads them contiguously.
/// A node that still needs more is refused. Every rule names its policy, so an op cannot be
/// added without saying what happens above rank 4.
/// </summary>
/// <param name="Name">The policy in a few words (the docs' "rank > 4" column).</param>
/// <param name="MaxDimensions">
/// The most dimensions the op's operators take after merging: 4, or 8 for the identity copies of
/// permute and expand and for binary arithmetic (DirectML documents 1 to 8 dimensions for its
/// element-wise operators from feature level 3_0, the backend's minimum).
/// </param>
/// <param name="Coalesce">The rank ≤ 4 form of a node that has a tensor of rank above 4 (nodes in a scratch graph).</param>
/// <param name="WideBroadcast">A broadcasting binary op: where merging leaves more than <see cref="MaxDimensions"/>, its broadcast operands are expanded first (any rank).</param>
internal sealed partial record DmlLayout(string Name, int MaxDimensions, Func<Node, Node[]> Coalesce, bool WideBroadcast = false)
{
    /// <summary>Every tensor description has this many dimensions (leading 1s), unless the policy allows more.</summary>
    public const int DimensionCount = 4;

    /// <summary>The most dimensions DirectML's element-wise operators take at feature level 3_0 (ELEMENT_WISE_IDENTITY, MULTIPLY, ADD1: 1 to 8 from 3_0).</summary>
    public const int MaxElementWiseDimensions = 8;

    /// <summary>Whether any of the node's tensors has rank above <see cref="DimensionCount"/>.</summary>
    public static bool NeedsCoalescing(Node node) => node.Inputs.Concat(node.Outputs).Any(v => v.Rank > DimensionCount);

    /// <summary>The node as its rank ≤ 4 steps (itself when it needs no merging).</summary>
    public Node[] Steps(Node node) => NeedsCoalescing(node) ? Coalesce(node) : [node];

    /// <summary>Whether the steps of the node fit <see cref="MaxDimensions"/>.</summary>
    public bool Fits(Node node) => WideBroadcast || Coalesce(node).All(s => s.Inputs.Concat(s.Outputs).All(v => v.Rank <= MaxDimensions));

    /// <summary>No operator: the output is the input's buffer (reshape, stop_gradient). Any rank.</summary>
    public static readonly DmlLayout Alias = new("any (no operator)", int.MaxValue, n => [n]);

    /// <summary>No operator: a buffer the runtime binds (constants). Any rank.</summary>
    public static readonly DmlLayout GraphInput = new("any (a bound buffer)", int.MaxValue, n => [n]);

    /// <summary>Lowered as its decomposition, whose ops follow their own policies.</summary>
    public static readonly DmlLayout Decomposed = new("as its decomposition's ops", int.MaxValue, n => [n]);

    /// <summary>No merging: ranks above 4 are refused.</summary>
    public static readonly DmlLayout Fixed = new("refused", DimensionCount, n => [n]);

    /// <summary>Unary element-wise ops and casts: dimensions merged (all are whole).</summary>
    public static readonly DmlLayout ElementWise = new("merged", DimensionCount, MergeElementWise);

    /// <summary>Binary arithmetic: merged by broadcast pattern to ≤ 8; beyond, the broadcast operands expanded first.</summary>
    public static readonly DmlLayout Arithmetic = new("merged by broadcast pattern, ≤ 8; beyond, operands expanded", MaxElementWiseDimensions, MergeElementWise, WideBroadcast: true);

    /// <summary>Compares: merged by broadcast pattern to ≤ 4; beyond, the broadcast operands expanded first.</summary>
    public static readonly DmlLayout Compare = new("merged by broadcast pattern; beyond 4, operands expanded", DimensionCount, MergeElementWise, WideBroadcast: true);

    /// <summary>Expand: merged by broadcast pattern to ≤ 8; beyond, one expand per run of broadcast dimensions.</summary>
    public static readonly DmlLayout Expand = new("merged by broadcast pattern, ≤ 8; beyond, one expand per broadcast run", MaxElementWiseDimensions, CoalesceExpand);

    /// <summary>Fill: the output's dimensions merged.</summary>
    public static readonly DmlLayout Fill = new("merged", DimensionCount, n => [Scratch(n, ((FullOp)n.Op) with { Shape = MergeBroadcast(n.Output.Shape, []).Output }, [])]);

    /// <summary>MatMul: batch dimensions merged like element-wise ones.</summary>
    public static readonly DmlLayout MatMul = new("batch dimensions merged by broadcast pattern", DimensionCount, CoalesceMatMul);

    /// <summary>Sum, mean, max: merged by which axes are reduced; beyond 4, one reduction per run of reduced axes.</summary>
    public static readonly DmlLayout Reduction = new("merged by reduced and kept axes; beyond 4, one reduction per run", DimensionCount, CoalesceReduction);

    /// <summary>Permute: merged runs the permute keeps together, ≤ 8; beyond, a chain of block moves.</summary>
    public static readonly DmlLayout Permute = new("merged runs, ≤ 8; beyond, block moves", MaxElementWiseDimensions, n => PermuteChain(n, n.Inputs[0].Shape, [.. ((PermuteOp)n.Op).Perm]));

    /// <summary>Slice: [before, axis, after].</summary>
    public static readonly DmlLayout Slice = new("[before, axis, after]", DimensionCount, n =>
        [Scratch(n, ((SliceOp)n.Op) with { Axis = AxisView(n.Inputs[0].Shape, ((SliceOp)n.Op).Axis, out var sliced) }, [sliced])]);

    /// <summary>Slice gradient: [before, axis, after] of the full shape and of dy.</summary>
    public static readonly DmlLayout SliceGrad = new("[before, axis, after]", DimensionCount, n =>
    {
        var sg = (SliceGradOp)n.Op;
        var axis = AxisView(sg.FullShape, sg.Axis, out var full);
        return [Scratch(n, sg with { FullShape = full, Axis = axis }, [AxisView(n.Inputs[0].Shape, sg.Axis)])];
    });

    /// <summary>Concat: every input as [before, axis, after].</summary>
    public static readonly DmlLayout Concat = new("[before, axis, after]", DimensionCount, n =>
    {
        var c = (ConcatOp)n.Op;
        return [Scratch(n, c with { Axis = AxisView(n.Inputs[0].Shape, c.Axis, out _) }, [.. n.Inputs.Select(i => AxisView(i.Shape, c.Axis))])];
    });

    /// <summary>Gather: x as [before, axis, after], the 1-D index as it is.</summary>
    public static readonly DmlLayout Gather = new("[before, axis, after]", DimensionCount, n =>
    {
        var g = (GatherOp)n.Op;
        return [Scratch(n, g with { Axis = AxisView(n.Inputs[0].Shape, g.Axis, out var gathered) }, [gathered, n.Inputs[1].Shape])];
    });

    /// <summary>TakeAlongAxis: x and the index as [before, axis, after].</summary>
    public static readonly DmlLayout TakeAlongAxis = new("[before, axis, after]", DimensionCount, n =>
    {
        var t = (TakeAlongAxisOp)n.Op;
        return [Scratch(n, t with { Axis = AxisView(n.Inputs[0].Shape, t.Axis, out var taken) }, [taken, AxisView(n.Inputs[1].Shape, t.Axis)])];
    });

    /// <summary>Softmax and log-softmax: [before, axis, after].</summary>
    public static readonly DmlLayout Softmax = new("[before, axis, after]", DimensionCount, n =>
    {
        var axis = AxisView(n.Inputs[0].Shape, ((AxisOp)n.Op).Axis, out var rows);
        return [Scratch(n, n.Op is SoftmaxOp ? new SoftmaxOp(axis) : new LogSoftmaxOp(axis), [rows])];
    });

    /// <summary>LogSumExp: [before, axis, after], reduced dimension kept (the same packed output).</summary>
    public static readonly DmlLayout LogSumExp = new("[before, axis, after]", DimensionCount, n =>
        [Scratch(n, new LogSumExpOp(AxisView(n.Inputs[0].Shape, ((LogSumExpOp)n.Op).Axis, out var summed), true), [summed])]);

    /// <summary>ArgMax: [before, axis, after], reduced dimension kept (the same packed output).</summary>
    public static readonly DmlLayout ArgMax = new("[before, axis, after]", DimensionCount, n =>
        [Scratch(n, new ArgMaxOp(AxisView(n.Inputs[0].Shape, ((ArgMaxOp)n.Op).Axis, out var reduced), true), [reduced])]);

    /// <summary>Ops over the last axis of input 0 (layer_norm, top_k): it as [rows, last]; other inputs as they are.</summary>
    public static readonly DmlLayout LastAxis = new("[rows, last axis]", DimensionCount, n =>
    {
        var x = n.Inputs[0].Shape;
        return [Scratch(n, n.Op, [AxisView(x, x.Rank - 1), .. n.Inputs.Skip(1).Select(i => i.Shape)])];
    });
}
