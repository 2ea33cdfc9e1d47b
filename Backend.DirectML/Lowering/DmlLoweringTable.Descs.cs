using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Lowering;

// The descriptor helpers every family's lowering shares: operator and tensor descriptions in the arena.
internal static unsafe partial class DmlLoweringTable
{
    /// <summary>Every tensor description has this many dimensions (see <see cref="DmlLayout"/>).</summary>
    const int DimensionCount = DmlLayout.DimensionCount;

    /// <summary>The node for error messages: its index, op and scope.</summary>
    public static string Where(Node node) => $"node {node.Index} '{node.Op.Describe()}'" + (node.Scope.Length == 0 ? "" : $" in '{node.Scope}'");

    /// <summary>A part reading the given sources.</summary>
    static DmlPart Part(DML_OPERATOR_DESC* desc, params DmlRead[] inputs) => new((nint)desc, inputs);

    /// <summary>The lowering whose only output is the last part's first.</summary>
    static DmlLowering Last(List<DmlPart> parts) => new([.. parts], [new DmlRead(parts.Count - 1, 0)]);

    /// <summary>An ELEMENT_WISE_IDENTITY copy of a packed float32 tensor read from <paramref name="source"/>.</summary>
    public static DmlPart Copy(DmlNativeArena arena, Shape shape, DmlRead source) =>
        Part(ScaleBiasUnary(arena, DML_OPERATOR_TYPE.DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, shape), shape, null), source);

    static DML_OPERATOR_DESC* Op(DmlNativeArena arena, DML_OPERATOR_TYPE type, void* desc)
    {
        var result = arena.Alloc<DML_OPERATOR_DESC>();
        *result = new DML_OPERATOR_DESC { Type = type, Desc = desc };
        return result;
    }

    /// <summary>An element-wise operator of layout {InputTensor, OutputTensor, ScaleBias} (IDENTITY, EXP, ABS, SQRT, LOG, TANH, ERF, RECIP).</summary>
    static DML_OPERATOR_DESC* ScaleBiasUnary(DmlNativeArena arena, DML_OPERATOR_TYPE type, DML_TENSOR_DESC* input, Shape output, DML_SCALE_BIAS* scaleBias)
    {
        var unary = arena.Alloc<DML_ELEMENT_WISE_IDENTITY_OPERATOR_DESC>();
        unary->InputTensor = input;
        unary->OutputTensor = TensorDesc(arena, output);
        unary->ScaleBias = scaleBias;
        return Op(arena, type, unary);
    }

    /// <summary>A binary element-wise operator of layout {ATensor, BTensor, OutputTensor}, the output packed in <paramref name="outType"/>.</summary>
    static DML_OPERATOR_DESC* Binary(DmlNativeArena arena, DML_OPERATOR_TYPE type, DML_TENSOR_DESC* a, DML_TENSOR_DESC* b, uint[] outSizes, DML_TENSOR_DATA_TYPE outType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32)
    {
        var binary = arena.Alloc<DML_ELEMENT_WISE_ADD_OPERATOR_DESC>();
        binary->ATensor = a;
        binary->BTensor = b;
        binary->OutputTensor = TensorDesc(arena, outSizes, null, outType);
        return Op(arena, type, binary);
    }

    /// <summary>REDUCE of a 4-D packed tensor to <paramref name="outSizes"/> (reduced dimensions 1) over <paramref name="axes"/>.</summary>
    static DML_OPERATOR_DESC* Reduce(DmlNativeArena arena, DML_REDUCE_FUNCTION function, uint[] inSizes, uint[] outSizes, uint[] axes)
    {
        var reduce = arena.Alloc<DML_REDUCE_OPERATOR_DESC>();
        reduce->Function = function;
        reduce->InputTensor = TensorDesc(arena, inSizes, null);
        reduce->OutputTensor = TensorDesc(arena, outSizes, null);
        reduce->AxisCount = (uint)axes.Length;
        reduce->Axes = arena.Copy<uint>(axes);
        return Op(arena, DML_OPERATOR_TYPE.DML_OPERATOR_REDUCE, reduce);
    }

    /// <summary>A CAST from <paramref name="input"/> to a packed tensor of <paramref name="output"/> in <paramref name="to"/>.</summary>
    static DML_OPERATOR_DESC* Cast(DmlNativeArena arena, DML_TENSOR_DESC* input, Shape output, DML_TENSOR_DATA_TYPE to)
    {
        var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
        cast->InputTensor = input;
        cast->OutputTensor = TensorDesc(arena, Pad(output), null, to);
        return Op(arena, DML_OPERATOR_TYPE.DML_OPERATOR_CAST, cast);
    }

    static DML_SCALE_BIAS* ScaleBias(DmlNativeArena arena, float scale, float bias)
    {
        var scaleBias = arena.Alloc<DML_SCALE_BIAS>();
        *scaleBias = new DML_SCALE_BIAS { Scale = scale, Bias = bias };
        return scaleBias;
    }

    /// <summary>
    /// A float32 buffer tensor holding <paramref name="shape"/> packed, read as
    /// <paramref name="viewAs"/> (a NumPy broadcast of it) when given: broadcast dimensions get
    /// stride 0, so the buffer's size stays that of the packed tensor.
    /// </summary>
    static DML_TENSOR_DESC* TensorDesc(DmlNativeArena arena, Shape shape, Shape? viewAs = null)
    {
        var n = Math.Max(shape.Rank, viewAs?.Rank ?? 0);
        var stored = Pad(shape, n);
        var sizes = viewAs is null ? stored : Pad(viewAs, n);
        uint[]? strides = null;
        if (!sizes.AsSpan().SequenceEqual(stored))
        {
            strides = new uint[sizes.Length];
            uint packed = 1;
            for (var d = sizes.Length - 1; d >= 0; d--)
            {
                if (stored[d] != sizes[d] && stored[d] != 1)
                    throw new ArgumentException($"{shape} does not broadcast to {viewAs}.", nameof(viewAs));
                strides[d] = stored[d] == 1 ? 0 : packed;
                packed *= stored[d];
            }
        }

        return TensorDesc(arena, sizes, strides);
    }

    /// <summary>A buffer tensor (float32 unless given) of these sizes (4, or up to 8 where the rank policy allows), packed when <paramref name="strides"/> is null.</summary>
    static DML_TENSOR_DESC* TensorDesc(DmlNativeArena arena, uint[] sizes, uint[]? strides, DML_TENSOR_DATA_TYPE dataType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32)
    {
        var buffer = arena.Alloc<DML_BUFFER_TENSOR_DESC>();
        buffer->DataType = dataType;
        buffer->Flags = DML_TENSOR_FLAGS.DML_TENSOR_FLAG_NONE;
        buffer->DimensionCount = (uint)sizes.Length;
        buffer->Sizes = arena.Copy<uint>(sizes);
        buffer->Strides = strides is null ? null : arena.Copy<uint>(strides);
        buffer->TotalTensorSizeInBytes = DmlBufferTensor.CalcBufferTensorSize(buffer->DataType, sizes, strides);
        buffer->GuaranteedBaseOffsetAlignment = 0;

        var tensor = arena.Alloc<DML_TENSOR_DESC>();
        tensor->Type = DML_TENSOR_TYPE.DML_TENSOR_TYPE_BUFFER;
        tensor->Desc = buffer;
        return tensor;
    }

    /// <summary>The same sizes and strides in another data type (the byte size recomputed).</summary>
    static DML_TENSOR_DESC* Retyped(DML_TENSOR_DESC* tensor, DML_TENSOR_DATA_TYPE type)
    {
        var buffer = (DML_BUFFER_TENSOR_DESC*)tensor->Desc;
        buffer->DataType = type;
        var n = (int)buffer->DimensionCount;
        buffer->TotalTensorSizeInBytes = DmlBufferTensor.CalcBufferTensorSize(type, new ReadOnlySpan<uint>(buffer->Sizes, n),
            buffer->Strides == null ? default : new ReadOnlySpan<uint>(buffer->Strides, n));
        return tensor;
    }

    static DML_TENSOR_DATA_TYPE DataType(DType dtype) => dtype switch
    {
        DType.Float32 => DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32,
        DType.Int64 => DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64,
        _ => throw new NotSupportedException($"The DirectML graph builder does not lower {dtype} tensors."),
    };

    /// <summary>The shape as <see cref="DimensionCount"/> sizes, leading 1s first (as many as its rank above that, see the rank policy).</summary>
    static uint[] Pad(Shape shape) => Pad(shape, 0);

    /// <summary>The shape as max(4, rank, <paramref name="atLeast"/>) sizes, leading 1s first.</summary>
    static uint[] Pad(Shape shape, int atLeast)
    {
        var n = Math.Max(DimensionCount, Math.Max(shape.Rank, atLeast));
        var sizes = new uint[n];
        var lead = n - shape.Rank;
        for (var d = 0; d < n; d++)
            sizes[d] = d < lead ? 1u : checked((uint)shape[d - lead]);
        return sizes;
    }

    /// <summary>4-D sizes as a Shape (for <see cref="ScaleBiasUnary"/>, which pads it back to the same sizes).</summary>
    static Shape StatShape(uint[] sizes) => new([.. sizes.Select(s => (int)s)]);
}
