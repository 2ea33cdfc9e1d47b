using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Argsort and TopK (TOP_K1), ScatterAdd and IndexAdd (ONE_HOT, MULTIPLY, REDUCE), and int64 data movement.
internal static unsafe partial class DmlGraphBuilder
{
    /// <summary>
    /// Whether <paramref name="value"/> of <paramref name="node"/> may be int64: where the operator
    /// the op lowers to takes INT64 at feature level 3_0 (CAST, the indices of GATHER,
    /// GATHER_ELEMENTS and ONE_HOT), where the lowering casts (argsort's UINT32 indices, int64
    /// expand/permute/slice, argsort's input and output, the random ops' seed), and for aliases (no operator at all).
    /// ELEMENT_WISE_IDENTITY, SLICE1, JOIN and TOP_K1 take no 64-bit types at 3_0, hence the casts.
    /// </summary>
    static bool Int64Allowed(Node node, Tensor value) => node.Op switch
    {
        CastOp or ReshapeOp or StopGradientOp or ExpandOp or PermuteOp or SliceOp => true,
        GatherOp or TakeAlongAxisOp or ScatterAddOp or IndexAddOp => value == node.Inputs[1],
        ArgsortOp => true,
        // The indices output: TOP_K1's UINT32 indices cast (LowerTopK).
        TopKOp => value == node.Outputs[1],
        RandomOp => value == node.Inputs[0],
        // The indices output: MAX_POOLING2's UINT32 indices made per-plane and cast (LowerMaxPool2dWithIndices).
        MaxPool2dOp => value == node.Outputs[1],
        _ => false,
    };

    const string Int64Rule = "int64 is lowered as a cast's input or output, as indices (gather, take_along_axis, scatter_add, index_add), argsort's input and output, top_k's indices, a random op's seed, max_pool2d's indices, and through reshape, stop_gradient, expand, permute and slice";

    /// <summary>
    /// Argsort: TOP_K1 with K = the axis length (the smallest first, or the largest first when
    /// descending), then CAST of its UINT32 indices (the only index type TOP_K1 writes) to INT64.
    /// TOP_K1 orders ties by ascending index in both directions. The values output is described
    /// and left unconsumed. An int64 input (MAE's argsort of a permutation) is cast to INT32 first:
    /// TOP_K1 takes no 64-bit types at 3_0; exact for values of 32 bits.
    /// </summary>
    static DmlLowering LowerArgsort(DmlNativeArena arena, Node node, ArgsortOp argsort)
    {
        var x = node.Inputs[0].Shape;
        var int64 = node.Inputs[0].DType == DType.Int64;
        var valueType = int64 ? DML_TENSOR_DATA_TYPE_INT32 : DML_TENSOR_DATA_TYPE_FLOAT32;
        var topK = arena.Alloc<DML_TOP_K1_OPERATOR_DESC>();
        topK->InputTensor = TensorDesc(arena, Pad(x), null, valueType);
        topK->OutputValueTensor = TensorDesc(arena, Pad(x), null, valueType);
        topK->OutputIndexTensor = TensorDesc(arena, Pad(x), null, DML_TENSOR_DATA_TYPE_UINT32);
        topK->Axis = (uint)(argsort.Axis + DimensionCount - x.Rank);
        topK->K = (uint)x[argsort.Axis];
        topK->AxisDirection = argsort.Descending ? DML_AXIS_DIRECTION.DML_AXIS_DIRECTION_DECREASING : DML_AXIS_DIRECTION.DML_AXIS_DIRECTION_INCREASING;
        var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
        cast->InputTensor = TensorDesc(arena, Pad(x), null, DML_TENSOR_DATA_TYPE_UINT32);
        cast->OutputTensor = TensorDesc(arena, Pad(x), null, DML_TENSOR_DATA_TYPE_INT64);
        // The indices are TOP_K1's output 1.
        if (!int64)
            return new DmlLowering([Part(Op(arena, DML_OPERATOR_TOP_K1, topK), DmlRead.Input(0)), Part(Op(arena, DML_OPERATOR_CAST, cast), new DmlRead(0, 1))], [new DmlRead(1, 0)]);
        return new DmlLowering([
            Part(Cast(arena, TensorDesc(arena, Pad(x), null, DML_TENSOR_DATA_TYPE_INT64), x, DML_TENSOR_DATA_TYPE_INT32), DmlRead.Input(0)),
            Part(Op(arena, DML_OPERATOR_TOP_K1, topK), new DmlRead(0, 0)),
            Part(Op(arena, DML_OPERATOR_CAST, cast), new DmlRead(1, 1)),
        ], [new DmlRead(2, 0)]);
    }

    /// <summary>
    /// TopK: TOP_K1 over the last axis, largest first (ties by ascending index), then, when the
    /// indices are read, CAST of its UINT32 indices to INT64 (argsort's pair of operators with K
    /// below the axis length).
    /// </summary>
    static DmlLowering LowerTopK(DmlNativeArena arena, Node node, TopKOp topK, bool indicesRead)
    {
        var x = node.Inputs[0].Shape;
        var y = node.Outputs[0].Shape;
        var desc = arena.Alloc<DML_TOP_K1_OPERATOR_DESC>();
        desc->InputTensor = TensorDesc(arena, Pad(x), null);
        desc->OutputValueTensor = TensorDesc(arena, Pad(y), null);
        desc->OutputIndexTensor = TensorDesc(arena, Pad(y), null, DML_TENSOR_DATA_TYPE_UINT32);
        desc->Axis = DimensionCount - 1;
        desc->K = (uint)topK.K;
        desc->AxisDirection = DML_AXIS_DIRECTION.DML_AXIS_DIRECTION_DECREASING;
        var select = Part(Op(arena, DML_OPERATOR_TOP_K1, desc), DmlRead.Input(0));
        if (!indicesRead)
            return new DmlLowering([select], [new DmlRead(0, 0), new DmlRead(0, 1)]);
        var cast = Cast(arena, TensorDesc(arena, Pad(y), null, DML_TENSOR_DATA_TYPE_UINT32), y, DML_TENSOR_DATA_TYPE_INT64);
        return new DmlLowering([select, Part(cast, new DmlRead(0, 1))], [new DmlRead(0, 0), new DmlRead(1, 0)]);
    }

    /// <summary>
    /// ScatterAdd and IndexAdd (DirectML has no scatter-add: SCATTER replaces). With the source
    /// viewed as [P, J, R] around its axis (P, R the products of the dimensions before and after
    /// it) and K the output's axis length: ONE_HOT of the INT64 index along a new axis,
    /// E[p, j, k, r] = (index[p, j, r] == k) — index_add's 1-D index as [1, J, 1, 1], broadcast —;
    /// MULTIPLY by the source broadcast over k; REDUCE SUM over j, which leaves [P, 1, K, R], the
    /// output's packed buffer. Exact sums of the selected terms (the zeros add nothing); P·J·K·R
    /// multiply-adds and a float32 intermediate of that size, any rank. An out-of-range index
    /// contributes nothing (ONE_HOT's rule) where Torch fails.
    /// </summary>
    static DmlLowering LowerScatterAdd(DmlNativeArena arena, Node node)
    {
        var src = node.Inputs[0].Shape;
        var axis = node.Op is ScatterAddOp s ? s.Axis : ((IndexAddOp)node.Op).Axis;
        uint p = 1, r = 1;
        for (var d = 0; d < axis; d++)
            p *= checked((uint)src[d]);
        for (var d = axis + 1; d < src.Rank; d++)
            r *= checked((uint)src[d]);
        var j = (uint)src[axis];
        var k = (uint)node.Output.Shape[axis];
        uint[] expanded = [p, j, k, r];

        // ONE_HOT's ValuesTensor: element 0 is the off value, element 1 the on value.
        var values = arena.Alloc<DML_FILL_VALUE_SEQUENCE_OPERATOR_DESC>();
        values->OutputTensor = TensorDesc(arena, [1, 1, 1, 2], null);
        values->ValueDataType = DML_TENSOR_DATA_TYPE_FLOAT32;
        values->ValueStart = new DML_SCALAR_UNION { Float32 = 0f };
        values->ValueDelta = new DML_SCALAR_UNION { Float32 = 1f };

        var scatter = node.Op is ScatterAddOp;
        uint[] hotSizes = scatter ? [p, j, k, r] : [1, j, k, 1];
        var oneHot = arena.Alloc<DML_ONE_HOT_OPERATOR_DESC>();
        oneHot->IndicesTensor = TensorDesc(arena, scatter ? [p, j, 1, r] : [1, j, 1, 1], null, DML_TENSOR_DATA_TYPE_INT64);
        oneHot->ValuesTensor = TensorDesc(arena, [1, 1, 1, 2], null);
        oneHot->OutputTensor = TensorDesc(arena, hotSizes, null);
        oneHot->Axis = 2;

        var multiply = arena.Alloc<DML_ELEMENT_WISE_MULTIPLY_OPERATOR_DESC>();
        multiply->ATensor = TensorDesc(arena, expanded, scatter ? null : [0, k, 1, 0]);
        multiply->BTensor = TensorDesc(arena, expanded, [j * r, r, 0, 1]);
        multiply->OutputTensor = TensorDesc(arena, expanded, null);

        var reduce = arena.Alloc<DML_REDUCE_OPERATOR_DESC>();
        reduce->Function = DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM;
        reduce->InputTensor = TensorDesc(arena, expanded, null);
        reduce->OutputTensor = TensorDesc(arena, [p, 1, k, r], null);
        reduce->AxisCount = 1;
        reduce->Axes = arena.Copy<uint>([1u]);

        // Node inputs: 0 the source, 1 the index.
        return new DmlLowering([
            Part(Op(arena, DML_OPERATOR_FILL_VALUE_SEQUENCE, values)),
            Part(Op(arena, DML_OPERATOR_ONE_HOT, oneHot), DmlRead.Input(1), new DmlRead(0, 0)),
            Part(Op(arena, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, multiply), new DmlRead(1, 0), DmlRead.Input(0)),
            Part(Op(arena, DML_OPERATOR_REDUCE, reduce), new DmlRead(2, 0)),
        ], [new DmlRead(3, 0)]);
    }

    /// <summary>
    /// Expand, Permute and Slice of int64 tensors. ELEMENT_WISE_IDENTITY and SLICE1 take no INT64
    /// at 3_0, CAST does: Expand and Permute are one INT64 → INT64 CAST reading the input through
    /// zero or permuted strides; Slice casts to INT32, slices, and casts back (exact for values of
    /// 32 bits, which indices are).
    /// </summary>
    static DML_OPERATOR_DESC*[] LowerInt64Move(DmlNativeArena arena, Node node)
    {
        var inShape = node.Inputs[0].Shape;
        var output = node.Output.Shape;
        switch (node.Op)
        {
            case ExpandOp:
                return [Cast(arena, Retyped(TensorDesc(arena, inShape, output), DML_TENSOR_DATA_TYPE_INT64), output, DML_TENSOR_DATA_TYPE_INT64)];
            case PermuteOp permute:
                {
                    var packed = new uint[inShape.Rank];
                    uint stride = 1;
                    for (var d = inShape.Rank - 1; d >= 0; d--)
                    {
                        packed[d] = stride;
                        stride *= checked((uint)inShape[d]);
                    }
                    var strides = new uint[DimensionCount];
                    for (var d = 0; d < inShape.Rank; d++)
                        strides[DimensionCount - inShape.Rank + d] = packed[permute.Perm[d]];
                    return [Cast(arena, TensorDesc(arena, Pad(output), strides, DML_TENSOR_DATA_TYPE_INT64), output, DML_TENSOR_DATA_TYPE_INT64)];
                }
            default:
                {
                    var slice = (SliceOp)node.Op;
                    var axis = slice.Axis + DimensionCount - inShape.Rank;
                    var offsets = new uint[DimensionCount];
                    var sizes = Pad(inShape);
                    var strides = new int[DimensionCount];
                    Array.Fill(strides, 1);
                    offsets[axis] = (uint)slice.Start;
                    sizes[axis] = (uint)(slice.End - slice.Start);
                    strides[axis] = slice.Step;
                    var desc = arena.Alloc<DML_SLICE1_OPERATOR_DESC>();
                    desc->InputTensor = TensorDesc(arena, Pad(inShape), null, DML_TENSOR_DATA_TYPE_INT32);
                    desc->OutputTensor = TensorDesc(arena, Pad(output), null, DML_TENSOR_DATA_TYPE_INT32);
                    desc->DimensionCount = DimensionCount;
                    desc->InputWindowOffsets = arena.Copy<uint>(offsets);
                    desc->InputWindowSizes = arena.Copy<uint>(sizes);
                    desc->InputWindowStrides = arena.Copy<int>(strides);
                    return [
                        Cast(arena, TensorDesc(arena, Pad(inShape), null, DML_TENSOR_DATA_TYPE_INT64), inShape, DML_TENSOR_DATA_TYPE_INT32),
                        Op(arena, DML_OPERATOR_SLICE1, desc),
                        Cast(arena, TensorDesc(arena, Pad(output), null, DML_TENSOR_DATA_TYPE_INT32), output, DML_TENSOR_DATA_TYPE_INT64),
                    ];
                }
        }
    }

    /// <summary>A CAST from <paramref name="input"/> to a packed tensor of <paramref name="output"/> in <paramref name="to"/>.</summary>
    static DML_OPERATOR_DESC* Cast(DmlNativeArena arena, DML_TENSOR_DESC* input, Shape output, DML_TENSOR_DATA_TYPE to)
    {
        var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
        cast->InputTensor = input;
        cast->OutputTensor = TensorDesc(arena, Pad(output), null, to);
        return Op(arena, DML_OPERATOR_CAST, cast);
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
}
