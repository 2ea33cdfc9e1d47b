using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Gather and take_along_axis (GATHER, GATHER_ELEMENTS), argsort and top-k (TOP_K1), scatter/index add (ONE_HOT, MULTIPLY, REDUCE).
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterIndexing(Dictionary<Type, DmlOpRule> t)
    {
        Add<GatherOp>(t, new(Plan("gather along the axis", DML_OPERATOR_GATHER), DmlLayout.Gather, Chain(LowerGather)) { Int64 = DmlInt64.Indices });
        Add<TakeAlongAxisOp>(t, new(Plan("gather elements", DML_OPERATOR_GATHER_ELEMENTS), DmlLayout.TakeAlongAxis, Chain(LowerGather)) { Int64 = DmlInt64.Indices });
        Add<ArgsortOp>(t, new(Plan("top-k with k = the axis length (ascending or descending), its UINT32 indices cast to int64", DML_OPERATOR_TOP_K1, DML_OPERATOR_CAST),
            DmlLayout.Fixed, (c, node) => LowerArgsort(c.Arena, node, (ArgsortOp)node.Op))
        { Int64 = DmlInt64.Any });
        Add<TopKOp>(t, new(Plan("top-k along the last axis, decreasing; its UINT32 indices cast to int64 when read", DML_OPERATOR_TOP_K1, DML_OPERATOR_CAST),
            DmlLayout.LastAxis, (c, node) => LowerTopK(c.Arena, node, (TopKOp)node.Op, c.IsRead(1)))
        { Int64 = DmlInt64.IndicesOutput });
        Add<IndexAddOp>(t, new(Plan("no scatter-add (SCATTER replaces): one-hot of the index along a new axis, multiply by src broadcast, reduce SUM over the source axis",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_ONE_HOT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE),
            DmlLayout.Fixed, (c, node) => LowerScatterAdd(c.Arena, node))
        { Int64 = DmlInt64.Indices });
        Add<ScatterAddOp>(t, new(Plan("no scatter-add: one-hot of the positions along a new axis, multiply by src broadcast, reduce SUM over the source axis",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_ONE_HOT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE),
            DmlLayout.Fixed, (c, node) => LowerScatterAdd(c.Arena, node))
        { Int64 = DmlInt64.Indices });
    }

    /// <summary>Gather (GATHER, 1-D indices [n] as [1, 1, 1, n], IndexDimensions 1) and TakeAlongAxis (GATHER_ELEMENTS), INT64 indices as the IR has them (DirectML takes INT64, INT32 or UINT32).</summary>
    static DML_OPERATOR_DESC*[] LowerGather(DmlNativeArena arena, Node node)
    {
        var output = node.Output;
        var x = node.Inputs[0].Shape;
        var axis = (uint)((node.Op is GatherOp g ? g.Axis : ((TakeAlongAxisOp)node.Op).Axis) + DimensionCount - x.Rank);
        var indices = TensorDesc(arena, Pad(node.Inputs[1].Shape), null, DML_TENSOR_DATA_TYPE_INT64);
        if (node.Op is GatherOp)
        {
            var gather = arena.Alloc<DML_GATHER_OPERATOR_DESC>();
            gather->InputTensor = TensorDesc(arena, x);
            gather->IndicesTensor = indices;
            gather->OutputTensor = TensorDesc(arena, output.Shape);
            gather->Axis = axis;
            gather->IndexDimensions = 1;
            return [Op(arena, DML_OPERATOR_GATHER, gather)];
        }
        var elements = arena.Alloc<DML_GATHER_ELEMENTS_OPERATOR_DESC>();
        elements->InputTensor = TensorDesc(arena, x);
        elements->IndicesTensor = indices;
        elements->OutputTensor = TensorDesc(arena, output.Shape);
        elements->Axis = axis;
        return [Op(arena, DML_OPERATOR_GATHER_ELEMENTS, elements)];
    }

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
}
