using Dsl.Execution;
namespace Dsl.Models.Training;

/// <summary>
/// Trainable parameters laid out as one flat vector: parameter i is the contiguous segment
/// [<see cref="Offset"/>(i), <see cref="Offset"/>(i + 1)), in declaration order (ascending
/// <see cref="Tensor.Id"/>), the order backends lay out persistent values. Gradients, optimizer state
/// and masks share this layout, so clipping and an optimizer step are a few whole-buffer ops
/// instead of a dozen per parameter.
/// </summary>
public sealed class ParameterPack
{
    readonly Tensor[] parameters;
    readonly int[] offsets;
    readonly Dictionary<Tensor, int> index;
    Tensor? segmentIds;

    /// <summary>Packs named persistent values of one graph and one dtype (their order does not matter).</summary>
    public ParameterPack(IEnumerable<Tensor> parameters)
    {
        this.parameters = [.. parameters.OrderBy(p => p.Id)];
        if (this.parameters.Length == 0) throw new ArgumentException("A parameter pack needs at least one parameter.");
        var first = this.parameters[0];
        foreach (var p in this.parameters)
        {
            if (!p.IsPersistent || p.Name is null)
                throw new ArgumentException($"{p} is not a named parameter: the optimizer can only update persistent values.");
            if (p.Graph != first.Graph)
                throw new ArgumentException($"{p.Ref} belongs to graph '{p.Graph.Name}', {first.Ref} to '{first.Graph.Name}': a pack holds one graph's parameters.");
            if (p.DType != first.DType)
                throw new ShapeException($"Parameter {p.Ref} is {p.Type} but {first.Ref} is {first.Type}: packed parameters share one dtype.");
        }
        index = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        offsets = new int[this.parameters.Length + 1];
        for (int i = 0; i < this.parameters.Length; i++)
        {
            if (!index.TryAdd(this.parameters[i], i)) throw new ArgumentException($"Parameter {this.parameters[i].Ref} is listed twice.");
            offsets[i + 1] = checked(offsets[i] + (int)this.parameters[i].Shape.Numel);
        }
    }

    /// <summary>The graph the parameters belong to.</summary>
    public Graph Graph => parameters[0].Graph;

    /// <summary>The parameters in pack order (ascending <see cref="Tensor.Id"/>).</summary>
    public IReadOnlyList<Tensor> Parameters => parameters;

    /// <summary>Number of parameters (segments).</summary>
    public int Count => parameters.Length;

    /// <summary>Number of elements of all parameters together.</summary>
    public int Total => offsets[^1];

    /// <summary>The shared element type.</summary>
    public DType DType => parameters[0].DType;

    /// <summary>The flat type [<see cref="Total"/>] of packed values.</summary>
    public TensorType FlatType => new(new Shape(Total), DType);

    /// <summary>First element of parameter <paramref name="i"/> (pack order); <see cref="Total"/> for i = <see cref="Count"/>.</summary>
    public int Offset(int i) => offsets[i];

    /// <summary>Position of <paramref name="parameter"/> in pack order.</summary>
    public int IndexOf(Tensor parameter) => index.TryGetValue(parameter, out int i) ? i
        : throw new ArgumentException($"{parameter.Ref} is not in this parameter pack.");

    /// <summary>
    /// Puts <paramref name="values"/>, one per entry of <paramref name="parameters"/> (any order, every
    /// packed parameter once) and typed like it, into pack order.
    /// </summary>
    public Tensor[] Arrange(IReadOnlyList<Tensor> parameters, IReadOnlyList<Tensor> values)
    {
        if (parameters.Count != Count || values.Count != Count)
            throw new ArgumentException($"The pack holds {Count} parameters; got {parameters.Count} parameters and {values.Count} values.");
        var arranged = new Tensor[Count];
        for (int k = 0; k < Count; k++)
        {
            var (p, v) = (parameters[k], values[k]);
            if (p.Type != v.Type) throw new ShapeException($"Gradient of {p.Ref} is {v.Type} but the parameter is {p.Type}.");
            int i = IndexOf(p);
            if (arranged[i] is not null) throw new ArgumentException($"Parameter {p.Ref} is listed twice.");
            arranged[i] = v;
        }
        return arranged;
    }

    /// <summary>One value per parameter, in pack order and shaped like it, as one flat [<see cref="Total"/>] vector.</summary>
    public Tensor Flatten(IReadOnlyList<Tensor> values)
    {
        if (values.Count != Count) throw new ArgumentException($"The pack holds {Count} parameters; got {values.Count} values to flatten.");
        for (int i = 0; i < Count; i++)
            if (values[i].Shape != parameters[i].Shape)
                throw new ShapeException($"Value {i} to flatten is {values[i].Type} but parameter {parameters[i].Ref} is {parameters[i].Type}.");
        return Concatenate(values);
    }

    /// <summary>The parameters themselves as one flat vector (a view where the backend stores them contiguously).</summary>
    public Tensor FlattenParameters() => Flatten(parameters);

    /// <summary>Splits a flat [<see cref="Total"/>] vector into one tensor per parameter, shaped like it (pack order).</summary>
    public Tensor[] Unflatten(Tensor flat)
    {
        RequireFlat(flat);
        return Split(flat, [.. parameters.Select(p => p.Shape)]);
    }

    /// <summary>
    /// A constant [<see cref="Total"/>] holding <paramref name="value"/> on the segments of the parameters
    /// <paramref name="selected"/> (pack order) and 0 elsewhere.
    /// </summary>
    public Tensor Mask(IReadOnlyList<bool> selected, double value = 1)
    {
        RequirePerParameter(selected);
        var data = new double[Total];
        for (int i = 0; i < Count; i++)
            if (selected[i]) data.AsSpan(offsets[i], offsets[i + 1] - offsets[i]).Fill(value);
        return Ops.Constant(Graph, Host(data, DType));
    }

    /// <summary>A constant [<see cref="Count"/>]: 1 for the parameters <paramref name="selected"/> (pack order), 0 for the others.</summary>
    public Tensor SegmentMask(IReadOnlyList<bool> selected)
    {
        RequirePerParameter(selected);
        return Ops.Constant(Graph, Host([.. selected.Select(s => s ? 1.0 : 0.0)], DType));
    }

    /// <summary>Per parameter, the sum of its segment of a flat vector: [<see cref="Total"/>] → [<see cref="Count"/>].</summary>
    public Tensor SegmentSums(Tensor flat)
    {
        RequireFlat(flat);
        return Ops.IndexAdd(flat, SegmentIds(), 0, new Shape(Count));
    }

    /// <summary>Spreads one value per parameter over its segment: [<see cref="Count"/>] → [<see cref="Total"/>].</summary>
    public Tensor PerElement(Tensor perParameter)
    {
        if (perParameter.Shape != new Shape(Count))
            throw new ShapeException($"Expected one value per parameter, [{Count}], got {perParameter.Type}.");
        return Ops.Gather(perParameter, SegmentIds());
    }

    /// <summary>
    /// The pack cut into maximal runs of consecutive parameters in the same group (<paramref name="groupOf"/>,
    /// from 0), as element ranges.
    /// </summary>
    public IReadOnlyList<PackRange> Ranges(Func<Tensor, int> groupOf)
    {
        var ranges = new List<PackRange>();
        for (int i = 0; i < Count; i++)
        {
            int group = groupOf(parameters[i]);
            if (group < 0) throw new ArgumentOutOfRangeException(nameof(groupOf), group, $"The group of {parameters[i].Ref} must be >= 0.");
            if (ranges.Count > 0 && ranges[^1].Group == group) ranges[^1] = ranges[^1] with { End = offsets[i + 1] };
            else ranges.Add(new PackRange(offsets[i], offsets[i + 1], group));
        }
        return ranges;
    }

    /// <summary>Any tensors, each reshaped to 1-D, joined in order (one concat).</summary>
    public static Tensor Concatenate(IReadOnlyList<Tensor> values)
    {
        if (values.Count == 0) throw new ArgumentException("Nothing to concatenate.");
        return Ops.Concat(0, [.. values.Select(v => Ops.Reshape(v, new Shape(checked((int)v.Shape.Numel))))]);
    }

    /// <summary>A 1-D tensor cut into consecutive pieces of the given shapes (the inverse of <see cref="Concatenate"/>).</summary>
    public static Tensor[] Split(Tensor flat, IReadOnlyList<Shape> shapes)
    {
        long total = shapes.Sum(s => s.Numel);
        if (flat.Rank != 1 || flat.Shape[0] != total)
            throw new ShapeException($"Cannot split {flat.Type} into pieces of {total} elements in all.");
        var pieces = new Tensor[shapes.Count];
        int offset = 0;
        for (int i = 0; i < pieces.Length; i++)
        {
            int n = (int)shapes[i].Numel;
            pieces[i] = Ops.Reshape(Ops.Slice(flat, 0, offset, offset + n), shapes[i]);
            offset += n;
        }
        return pieces;
    }

    Tensor SegmentIds()
    {
        if (segmentIds is not null) return segmentIds;
        var ids = new long[Total];
        for (int i = 0; i < Count; i++) ids.AsSpan(offsets[i], offsets[i + 1] - offsets[i]).Fill(i);
        return segmentIds = Ops.Constant(Graph, HostTensor.I64(new Shape(Total), ids));
    }

    static HostTensor Host(double[] data, DType dtype) => dtype switch
    {
        DType.Float32 => HostTensor.F32(new Shape(data.Length), [.. data.Select(d => (float)d)]),
        DType.Float64 => HostTensor.F64(new Shape(data.Length), data),
        _ => throw new NotSupportedException($"Packed parameters of {dtype} cannot be masked: use a floating-point type."),
    };

    void RequireFlat(Tensor flat)
    {
        if (flat.Type != FlatType) throw new ShapeException($"Expected a flat {FlatType} of the packed parameters, got {flat.Type}.");
    }

    void RequirePerParameter(IReadOnlyList<bool> selected)
    {
        if (selected.Count != Count) throw new ArgumentException($"Expected one flag per packed parameter ({Count}), got {selected.Count}.");
    }
}

/// <summary>Elements [Start, End) of a flat vector that belong to one group (e.g. a model or its auxiliary head).</summary>
/// <param name="Start">First element.</param>
/// <param name="End">One past the last element.</param>
/// <param name="Group">The group, from 0.</param>
public readonly record struct PackRange(int Start, int End, int Group);
