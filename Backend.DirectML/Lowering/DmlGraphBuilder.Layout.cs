namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// The rank policy. Ranks ≤ 4 are described as 4-D tensors (leading 1s). A node with a tensor of
/// rank above 4 is rewritten, before lowering, to an equivalent node (or chain of nodes) of rank
/// ≤ 4 over the same packed buffers: size-1 dimensions are dropped and neighbouring dimensions
/// merged wherever every operand reads them contiguously (element-wise ops and expand by their
/// broadcast pattern, reductions by which axes are reduced, matmul batch dimensions like
/// element-wise ones); single-axis ops (slice, slice_grad, concat, gather, take_along_axis,
/// softmax, log_softmax, logsumexp, layer_norm) see [before, axis, after]. What still needs more
/// than 4 dimensions: permute, expand and binary arithmetic use descriptions of up to 8 (DirectML
/// documents 1 to 8 dimensions for its element-wise operators from feature level 3_0, the
/// backend's minimum); compares expand their broadcast operands first; past 8, a permute becomes
/// a chain of block moves and an expand one expand per broadcast run. Other operators (GEMM,
/// REDUCE, SLICE1, JOIN, softmax, normalization) always get 4: merging brings them there.
/// </summary>
internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// The most dimensions DirectML's element-wise operators take at feature level 3_0 (its
    /// documentation: ELEMENT_WISE_IDENTITY, MULTIPLY, ADD1 and ACTIVATION_IDENTITY take 1 to 8
    /// from 3_0, 4 to 5 at 2_x); used for the identity copies of permute and expand and for
    /// binary arithmetic.
    /// </summary>
    const int MaxElementWiseDimensions = 8;

    /// <summary>How many dimensions the descriptions of this op's operators may have after merging.</summary>
    static int MaxDimensions(Op op) =>
        op is PermuteOp or ExpandOp or AddOp or SubOp or MulOp or DivOp or MaximumOp or MinimumOp ? MaxElementWiseDimensions : DimensionCount;

    /// <summary>Whether any of the node's tensors has rank above <see cref="DimensionCount"/>.</summary>
    static bool NeedsCoalescing(Node node) => node.Inputs.Concat(node.Outputs).Any(v => v.Rank > DimensionCount);

    /// <summary>Refuses nodes whose rank the policy cannot bring to 4.</summary>
    static void CheckRank(Node node)
    {
        // Aliases dispatch nothing: any rank.
        if (IsAlias(node) || !NeedsCoalescing(node))
            return;
        // A wide broadcast lowers through expanded operands (LowerWideBroadcast): any rank.
        if (IsBroadcastBinary(node))
            return;
        var steps = Coalesce(node);
        if (steps.Any(s => s.Inputs.Concat(s.Outputs).Any(v => v.Rank > MaxDimensions(s.Op))))
            throw new NotSupportedException($"The DirectML graph builder lowers rank > {DimensionCount} only where merging dimensions brings it to {DimensionCount} (8 for element-wise copies and arithmetic; at feature level 3_0); {node.Op.Describe()} on {string.Join(", ", node.Inputs)} needs more, at {Where(node)}.");
    }

    /// <summary>
    /// An equivalent chain of nodes (in a scratch graph) over rank ≤ 4 views of the node's packed
    /// buffers; the first reads the node's inputs in order, each later one the previous output.
    /// Ops the policy does not cover come back unchanged (and are refused by <see cref="CheckRank"/>).
    /// </summary>
    static Node[] Coalesce(Node node)
    {
        var x = node.Inputs.Count > 0 ? node.Inputs[0].Shape : node.Output.Shape;
        switch (node.Op)
        {
            case AddOp or SubOp or MulOp or DivOp or MaximumOp or MinimumOp or GreaterOp or EqualOp
                or ReluOp or ReluGradOp or ExpOp or AbsOp or SqrtOp or LogOp or SigmoidOp or TanhOp or ErfOp or SignOp or NegOp or RsqrtOp
                or PowScalarOp or GeluOp or CastOp or ExpandOp or FullOp:
                {
                    var (outShape, inShapes) = MergeBroadcast(node.Output.Shape, [.. node.Inputs.Select(i => i.Shape)]);
                    if (outShape.Rank > MaxDimensions(node.Op) && node.Op is ExpandOp)
                        return ExpandChain(node, x, node.Output.Shape);
                    Op op = node.Op switch
                    {
                        ExpandOp => new ExpandOp(outShape),
                        FullOp f => f with { Shape = outShape },
                        _ => node.Op,
                    };
                    return [Scratch(node, op, inShapes)];
                }
            case MatMulOp:
                {
                    Shape a = node.Inputs[0].Shape, b = node.Inputs[1].Shape, o = node.Output.Shape;
                    var (batch, inBatch) = MergeBroadcast(Take(o, o.Rank - 2), [Take(a, a.Rank - 2), Take(b, b.Rank - 2)]);
                    return [Scratch(node, node.Op, [new Shape([.. inBatch[0], a[-2], a[-1]]), new Shape([.. inBatch[1], b[-2], b[-1]])])];
                }
            case SumOp or MeanOp or MaxOp:
                {
                    var r = (ReduceOp)node.Op;
                    var (shape, axes) = MergeReduced(x, r.Axes);
                    if (shape.Rank <= DimensionCount)
                        return [Scratch(node, Reduction(node.Op, axes), [shape])];
                    // Too many alternations of reduced and kept axes: one reduction per run of
                    // reduced axes (sum of sums, max of maxes, mean of equal-sized means), each ≤ 3-D.
                    var steps = new List<Node>();
                    var current = x;
                    foreach (var run in Runs(r.Axes))
                    {
                        var (s, a) = MergeReduced(current, run);
                        steps.Add(Scratch(node, Reduction(node.Op, a), [s]));
                        current = new Shape([.. current.Select((d, i) => run.Contains(i) ? 1 : d)]);
                    }
                    return [.. steps];
                }
            case PermuteOp p:
                return PermuteChain(node, x, p.Perm.ToArray());
            case SliceOp s:
                return [Scratch(node, s with { Axis = AxisView(x, s.Axis, out var sliced) }, [sliced])];
            case SliceGradOp sg:
                {
                    var axis = AxisView(sg.FullShape, sg.Axis, out var full);
                    return [Scratch(node, sg with { FullShape = full, Axis = axis }, [AxisView(node.Inputs[0].Shape, sg.Axis)])];
                }
            case ConcatOp c:
                return [Scratch(node, c with { Axis = AxisView(x, c.Axis, out _) }, [.. node.Inputs.Select(i => AxisView(i.Shape, c.Axis))])];
            case GatherOp g:
                return [Scratch(node, g with { Axis = AxisView(x, g.Axis, out var gathered) }, [gathered, node.Inputs[1].Shape])];
            case TakeAlongAxisOp t:
                return [Scratch(node, t with { Axis = AxisView(x, t.Axis, out var taken) }, [taken, AxisView(node.Inputs[1].Shape, t.Axis)])];
            case SoftmaxOp or LogSoftmaxOp:
                {
                    var axis = AxisView(x, ((AxisOp)node.Op).Axis, out var rows);
                    return [Scratch(node, node.Op is SoftmaxOp ? new SoftmaxOp(axis) : new LogSoftmaxOp(axis), [rows])];
                }
            case LogSumExpOp l:
                return [Scratch(node, new LogSumExpOp(AxisView(x, l.Axis, out var summed), true), [summed])];
            case LayerNormOp:
                return [Scratch(node, node.Op, [AxisView(x, x.Rank - 1), node.Inputs[1].Shape, node.Inputs[2].Shape])];
            default:
                return [node];
        }
    }

    /// <summary>
    /// An expand whose broadcast pattern alternates too often for 4 dimensions, as one expand per
    /// run of broadcast dimensions (each then merges to ≤ 3: before, the run, after).
    /// </summary>
    static Node[] ExpandChain(Node node, Shape from, Shape to)
    {
        var current = Enumerable.Repeat(1, to.Rank - from.Rank).Concat(from).ToArray();
        var broadcast = Enumerable.Range(0, to.Rank).Where(d => current[d] != to[d]);
        var steps = new List<Node>();
        foreach (var run in Runs(broadcast))
        {
            var next = (int[])current.Clone();
            foreach (var d in run)
                next[d] = to[d];
            var (o, i) = MergeBroadcast(new Shape(next), [new Shape(current)]);
            steps.Add(Scratch(node, new ExpandOp(o), [i[0]], node.Inputs[0].DType));
            current = next;
        }
        return [.. steps];
    }

    /// <summary>Whether the op is a broadcasting binary element-wise one (its inputs may alternate broadcast and whole dimensions).</summary>
    static bool IsBroadcastBinary(Node node) => node.Op is AddOp or SubOp or MulOp or DivOp or MaximumOp or MinimumOp or GreaterOp or EqualOp;

    /// <summary>
    /// A broadcasting binary op whose merged broadcast pattern still needs more than 4
    /// dimensions: each broadcast input first expanded to the output's shape (a chain of
    /// identity copies, <see cref="ExpandChain"/>), then the op on whole, packed operands.
    /// </summary>
    static DmlLowering LowerWideBroadcast(DmlNativeArena arena, Node node)
    {
        var output = node.Output.Shape;
        var parts = new List<DmlPart>();
        var sources = new DmlRead[node.Inputs.Count];
        for (var j = 0; j < sources.Length; j++)
        {
            sources[j] = DmlRead.Input(j);
            if (node.Inputs[j].Shape.Numel == output.Numel)
                continue;
            foreach (var step in ExpandChain(node, node.Inputs[j].Shape, output))
            {
                foreach (var desc in Lower(arena, Coalesce(step)[0]))
                {
                    parts.Add(Part(desc, sources[j]));
                    sources[j] = new DmlRead(parts.Count - 1, 0);
                }
            }
        }
        var flat = new Shape(checked((int)output.Numel));
        var op = Scratch(node, node.Op, [flat, flat]);
        var chain = Lower(arena, op);
        for (var c = 0; c < chain.Length; c++)
            parts.Add(c == 0 ? Part(chain[c], sources) : Part(chain[c], new DmlRead(parts.Count - 1, 0)));
        return new DmlLowering([.. parts], [new DmlRead(parts.Count - 1, 0)]);
    }

    /// <summary>A node applying <paramref name="op"/> to inputs of the given shapes (and the node's dtypes), in a scratch graph.</summary>
    static Node Scratch(Node node, Op op, Shape[] inputShapes, DType? dtype = null)
    {
        var g = new Graph("rank-view");
        var inputs = inputShapes.Select((s, j) => g.Input($"in{j}", s, dtype ?? node.Inputs[j].DType)).ToArray();
        return g.Apply(op, inputs)[0].Producer!;
    }

    static Shape Take(Shape s, int count) => new([.. s.Take(count)]);

    /// <summary>
    /// Output and broadcast inputs with size-1 output dimensions dropped and neighbours merged
    /// where every input is either whole or broadcast across both.
    /// </summary>
    static (Shape Output, Shape[] Inputs) MergeBroadcast(Shape output, Shape[] inputs)
    {
        var r = output.Rank;
        // Each input aligned to the output's rank (NumPy: leading 1s).
        var aligned = inputs.Select(s => Enumerable.Repeat(1, r - s.Rank).Concat(s).ToArray()).ToArray();
        var outDims = new List<long>();
        var inDims = inputs.Select(_ => new List<long>()).ToArray();
        bool[]? previous = null;
        for (var d = 0; d < r; d++)
        {
            if (output[d] == 1)
                continue;
            var whole = aligned.Select(a => a[d] != 1).ToArray();
            if (previous is not null && whole.SequenceEqual(previous))
            {
                outDims[^1] *= output[d];
                for (var j = 0; j < inputs.Length; j++)
                    inDims[j][^1] *= whole[j] ? output[d] : 1;
            }
            else
            {
                outDims.Add(output[d]);
                for (var j = 0; j < inputs.Length; j++)
                    inDims[j].Add(whole[j] ? output[d] : 1);
            }
            previous = whole;
        }
        return (ToShape(outDims), [.. inDims.Select(ToShape)]);
    }

    /// <summary>The same reduction (kept dimensions) over other axes.</summary>
    static Op Reduction(Op op, int[] axes) => op switch
    {
        SumOp => new SumOp(new Ints(axes), true),
        MeanOp => new MeanOp(new Ints(axes), true),
        _ => new MaxOp(new Ints(axes), true),
    };

    /// <summary>Sorted axes split into runs of consecutive ones.</summary>
    static List<int[]> Runs(IEnumerable<int> axes)
    {
        var runs = new List<List<int>>();
        foreach (var a in axes.Order())
        {
            if (runs.Count > 0 && runs[^1][^1] + 1 == a)
                runs[^1].Add(a);
            else
                runs.Add([a]);
        }
        return [.. runs.Select(r => r.ToArray())];
    }

    /// <summary>The input with size-1 dimensions dropped and neighbours of the same kind (reduced or kept) merged; the reduced axes of the result.</summary>
    static (Shape Shape, int[] Axes) MergeReduced(Shape x, IReadOnlyList<int> axes)
    {
        var dims = new List<long>();
        var reduced = new List<bool>();
        for (var d = 0; d < x.Rank; d++)
        {
            if (x[d] == 1)
                continue;
            var isReduced = axes.Contains(d);
            if (reduced.Count > 0 && reduced[^1] == isReduced)
                dims[^1] *= x[d];
            else
            {
                dims.Add(x[d]);
                reduced.Add(isReduced);
            }
        }
        if (!reduced.Contains(true))
        {
            // Only size-1 axes were reduced: one such axis keeps the reduction a copy.
            dims.Add(1);
            reduced.Add(true);
        }
        return (ToShape(dims), [.. Enumerable.Range(0, dims.Count).Where(d => reduced[d])]);
    }

    /// <summary>The shape as [before, axis, after], the products of the dimensions around the axis (1s left out); the axis' new index.</summary>
    static int AxisView(Shape s, int axis, out Shape view)
    {
        long before = 1, after = 1;
        for (var d = 0; d < axis; d++)
            before *= s[d];
        for (var d = axis + 1; d < s.Rank; d++)
            after *= s[d];
        var dims = new List<long>();
        if (before != 1)
            dims.Add(before);
        dims.Add(s[axis]);
        if (after != 1)
            dims.Add(after);
        view = ToShape(dims);
        return before != 1 ? 1 : 0;
    }

    static Shape AxisView(Shape s, int axis)
    {
        AxisView(s, axis, out var view);
        return view;
    }

    static Shape ToShape(IEnumerable<long> dims) => new([.. dims.Select(d => checked((int)d))]);

    /// <summary>
    /// A permute as identity copies of ≤ 4 merged dimensions: the whole permute when it merges
    /// that far, otherwise block moves (the dimension due next brought forward past the ones
    /// between: prefix, between, it, rest — 4 blocks at most), until what remains merges.
    /// </summary>
    static Node[] PermuteChain(Node node, Shape x, int[] perm)
    {
        var steps = new List<Node>();
        var shape = x;
        // Current order: position i holds original axis order[i].
        var order = Enumerable.Range(0, x.Rank).ToArray();
        while (true)
        {
            // The permutation still to apply to the current layout.
            var rest = perm.Select(a => Array.IndexOf(order, a)).ToArray();
            var (merged, mergedPerm) = MergePermute(shape, rest);
            if (merged.Rank <= MaxElementWiseDimensions || steps.Count > x.Rank)
            {
                steps.Add(Scratch(node, new PermuteOp(new Ints(mergedPerm)), [merged]));
                return [.. steps];
            }
            // The first position whose axis is not yet in place, and where that axis is now.
            var i = Enumerable.Range(0, rest.Length).First(k => rest[k] != k);
            var j = rest[i];
            var move = Enumerable.Range(0, shape.Rank).ToList();
            move.RemoveAt(j);
            move.Insert(i, j);
            var (m, mp) = MergePermute(shape, [.. move]);
            steps.Add(Scratch(node, new PermuteOp(new Ints(mp)), [m]));
            shape = new Shape([.. move.Select(a => shape[a])]);
            order = [.. move.Select(a => order[a])];
        }
    }

    /// <summary>The input with size-1 dimensions dropped and runs merged that the permute keeps adjacent and in order; the permute of the merged dimensions.</summary>
    static (Shape Shape, int[] Perm) MergePermute(Shape x, int[] perm)
    {
        // Output order over the input's non-trivial axes; merge output neighbours a, a+1 in the input.
        var outAxes = perm.Where(a => x[a] != 1).ToArray();
        var groups = new List<List<int>>();
        foreach (var a in outAxes)
        {
            if (groups.Count > 0 && NextNonTrivial(x, groups[^1][^1]) == a)
                groups[^1].Add(a);
            else
                groups.Add([a]);
        }
        // Each group is a merged input dimension; order the groups by their position in the input.
        var byInput = groups.OrderBy(grp => grp[0]).ToList();
        var shape = byInput.Select(grp => grp.Aggregate(1L, (p, a) => p * x[a])).ToList();
        var mergedPerm = groups.Select(grp => byInput.IndexOf(grp)).ToArray();
        if (shape.Count == 0)
            return (new Shape(1), [0]);
        return (ToShape(shape), mergedPerm);
    }

    static int NextNonTrivial(Shape x, int a)
    {
        for (var d = a + 1; d < x.Rank; d++)
        {
            if (x[d] != 1)
                return d;
        }
        return -1;
    }
}
