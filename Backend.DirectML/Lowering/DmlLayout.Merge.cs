using Dsl.Operators;
namespace Dsl.Backend.DirectML.Lowering;

// The merging behind the rank policies: nodes rewritten over rank <= 4 (or 8) views of the same packed buffers.
internal sealed partial record DmlLayout
{
    /// <summary>Element-wise ops (unary, binary, compares, casts): output and inputs merged by broadcast pattern, the op unchanged.</summary>
    static Node[] MergeElementWise(Node node)
    {
        var (_, inShapes) = MergeBroadcast(node.Output.Shape, [.. node.Inputs.Select(i => i.Shape)]);
        return [Scratch(node, node.Op, inShapes)];
    }

    /// <summary>An expand merged by broadcast pattern; past <see cref="MaxElementWiseDimensions"/>, one expand per run of broadcast dimensions.</summary>
    static Node[] CoalesceExpand(Node node)
    {
        var (outShape, inShapes) = MergeBroadcast(node.Output.Shape, [node.Inputs[0].Shape]);
        if (outShape.Rank > MaxElementWiseDimensions)
            return ExpandChain(node, node.Inputs[0].Shape, node.Output.Shape);
        return [Scratch(node, new ExpandOp(outShape), inShapes)];
    }

    /// <summary>A matmul whose batch dimensions are merged like element-wise ones.</summary>
    static Node[] CoalesceMatMul(Node node)
    {
        Shape a = node.Inputs[0].Shape, b = node.Inputs[1].Shape, o = node.Output.Shape;
        var (_, inBatch) = MergeBroadcast(Take(o, o.Rank - 2), [Take(a, a.Rank - 2), Take(b, b.Rank - 2)]);
        return [Scratch(node, node.Op, [new Shape([.. inBatch[0], a[-2], a[-1]]), new Shape([.. inBatch[1], b[-2], b[-1]])])];
    }

    /// <summary>
    /// A reduction merged by which axes are reduced; with too many alternations of reduced and
    /// kept axes, one reduction per run of reduced axes (sum of sums, max of maxes, mean of
    /// equal-sized means), each ≤ 3-D.
    /// </summary>
    static Node[] CoalesceReduction(Node node)
    {
        var x = node.Inputs[0].Shape;
        var r = (ReduceOp)node.Op;
        var (shape, axes) = MergeReduced(x, r.Axes);
        if (shape.Rank <= DimensionCount)
            return [Scratch(node, ReductionOver(node.Op, axes), [shape])];
        var steps = new List<Node>();
        var current = x;
        foreach (var run in Runs(r.Axes))
        {
            var (s, a) = MergeReduced(current, run);
            steps.Add(Scratch(node, ReductionOver(node.Op, a), [s]));
            current = new Shape([.. current.Select((d, i) => run.Contains(i) ? 1 : d)]);
        }
        return [.. steps];
    }

    /// <summary>
    /// An expand whose broadcast pattern alternates too often for 4 dimensions, as one expand per
    /// run of broadcast dimensions (each then merges to ≤ 3: before, the run, after).
    /// </summary>
    public static Node[] ExpandChain(Node node, Shape from, Shape to)
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

    /// <summary>A node applying <paramref name="op"/> to inputs of the given shapes (and the node's dtypes), in a scratch graph.</summary>
    public static Node Scratch(Node node, Op op, Shape[] inputShapes, DType? dtype = null)
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
    static Op ReductionOver(Op op, int[] axes) => op switch
    {
        SumOp => new SumOp(new Ints(axes), true),
        MeanOp => new MeanOp(new Ints(axes), true),
        MinOp => new MinOp(new Ints(axes), true),
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
