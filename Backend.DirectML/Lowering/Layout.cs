using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Reshape and stop_gradient (aliases), permute and expand (strided identity copies), slice, slice_grad and concat.
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterLayout(Dictionary<Type, DmlOpRule> t)
    {
        DmlLower noOperator = (_, node) => throw new InvalidOperationException($"{node.Op.Describe()} dispatches nothing: its consumers read its input's buffer.");
        Add<ReshapeOp>(t, new(Plan("none: the same buffer under new sizes (contiguous inputs)"), DmlLayout.Alias, noOperator) { Int64 = DmlInt64.Any });
        Add<StopGradientOp>(t, new(Plan("none: an alias of its input (gradients are a graph-level matter)"), DmlLayout.Alias, noOperator) { Int64 = DmlInt64.Any });
        Add<PermuteOp>(t, new(Plan("identity copy reading the input through permuted strides (above the dimensions DirectML takes: a chain of block moves); int64 by an INT64 → INT64 cast (IDENTITY has no INT64 at 3_0)",
            DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_CAST), DmlLayout.Permute, Chain(LowerPermute))
        { Int64 = DmlInt64.Any });
        Add<ExpandOp>(t, new(Plan("identity copy reading the input with zero strides; int64 by an INT64 → INT64 cast (IDENTITY has no INT64 at 3_0)",
            DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_CAST), DmlLayout.Expand, Chain(LowerExpand))
        { Int64 = DmlInt64.Any });
        Add<SliceOp>(t, new(Plan("strided slice; int64 cast to INT32 and back around it (SLICE1 has no INT64 at 3_0)", DML_OPERATOR_SLICE1, DML_OPERATOR_CAST),
            DmlLayout.Slice, Chain(LowerSlice))
        { Int64 = DmlInt64.Any, Refuse = RefuseEmptySlice });
        Add<SliceGradOp>(t, new(Plan("slice gradient (zero-padded)", DML_OPERATOR_SLICE_GRAD), DmlLayout.SliceGrad, Chain(LowerSliceGrad)) { Refuse = RefuseEmptySlice });
        Add<ConcatOp>(t, new(Plan("join along the axis", DML_OPERATOR_JOIN), DmlLayout.Concat, Chain(LowerConcat)));
    }

    /// <summary>Output dimension d reads input dimension Perm[d]: the input's packed strides, permuted; int64 by an INT64 → INT64 CAST (<see cref="LowerInt64Move"/>).</summary>
    static DML_OPERATOR_DESC*[] LowerPermute(DmlNativeArena arena, Node node)
    {
        if (node.Output.DType == DType.Int64)
            return LowerInt64Move(arena, node);
        var p = (PermuteOp)node.Op;
        var inShape = node.Inputs[0].Shape;
        var packed = new uint[inShape.Rank];
        uint stride = 1;
        for (var d = inShape.Rank - 1; d >= 0; d--)
        {
            packed[d] = stride;
            stride *= checked((uint)inShape[d]);
        }
        var n = Math.Max(DimensionCount, inShape.Rank);
        var lead = n - inShape.Rank;
        var strides = new uint[n];
        for (var d = 0; d < inShape.Rank; d++)
            strides[lead + d] = packed[p.Perm[d]];
        return [ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, Pad(node.Output.Shape), strides), node.Output.Shape, null)];
    }

    static DML_OPERATOR_DESC*[] LowerExpand(DmlNativeArena arena, Node node) => node.Output.DType == DType.Int64
        ? LowerInt64Move(arena, node)
        : [ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, node.Inputs[0].Shape, node.Output.Shape), node.Output.Shape, null)];

    /// <summary>SLICE1: the window [Start, End) read with stride Step on the axis; whole dimensions elsewhere.</summary>
    static DML_OPERATOR_DESC*[] LowerSlice(DmlNativeArena arena, Node node)
    {
        if (node.Output.DType == DType.Int64)
            return LowerInt64Move(arena, node);
        var s = (SliceOp)node.Op;
        var inShape = node.Inputs[0].Shape;
        var axis = s.Axis + DimensionCount - inShape.Rank;
        var offsets = new uint[DimensionCount];
        var sizes = Pad(inShape);
        var strides = new int[DimensionCount];
        Array.Fill(strides, 1);
        offsets[axis] = (uint)s.Start;
        sizes[axis] = (uint)(s.End - s.Start);
        strides[axis] = s.Step;
        var slice = arena.Alloc<DML_SLICE1_OPERATOR_DESC>();
        slice->InputTensor = TensorDesc(arena, inShape);
        slice->OutputTensor = TensorDesc(arena, node.Output.Shape);
        slice->DimensionCount = DimensionCount;
        slice->InputWindowOffsets = arena.Copy<uint>(offsets);
        slice->InputWindowSizes = arena.Copy<uint>(sizes);
        slice->InputWindowStrides = arena.Copy<int>(strides);
        return [Op(arena, DML_OPERATOR_SLICE1, slice)];
    }

    /// <summary>SLICE_GRAD: zeros, with dy written into the forward's window (size (n - 1)·Step + 1 gives n elements).</summary>
    static DML_OPERATOR_DESC*[] LowerSliceGrad(DmlNativeArena arena, Node node)
    {
        var sg = (SliceGradOp)node.Op;
        var full = sg.FullShape;
        var axis = sg.Axis + DimensionCount - full.Rank;
        var offsets = new uint[DimensionCount];
        var sizes = Pad(full);
        var strides = new int[DimensionCount];
        Array.Fill(strides, 1);
        offsets[axis] = (uint)sg.Start;
        sizes[axis] = (uint)((node.Inputs[0].Shape[sg.Axis] - 1) * sg.Step + 1);
        strides[axis] = sg.Step;
        var grad = arena.Alloc<DML_SLICE_GRAD_OPERATOR_DESC>();
        grad->InputGradientTensor = TensorDesc(arena, node.Inputs[0].Shape);
        grad->OutputGradientTensor = TensorDesc(arena, node.Output.Shape);
        grad->DimensionCount = DimensionCount;
        grad->InputWindowOffsets = arena.Copy<uint>(offsets);
        grad->InputWindowSizes = arena.Copy<uint>(sizes);
        grad->InputWindowStrides = arena.Copy<int>(strides);
        return [Op(arena, DML_OPERATOR_SLICE_GRAD, grad)];
    }

    /// <summary>JOIN takes an array of tensor descriptions (by value), one per input in order.</summary>
    static DML_OPERATOR_DESC*[] LowerConcat(DmlNativeArena arena, Node node)
    {
        var descs = new DML_TENSOR_DESC[node.Inputs.Count];
        for (var j = 0; j < descs.Length; j++)
            descs[j] = *TensorDesc(arena, node.Inputs[j].Shape);
        var join = arena.Alloc<DML_JOIN_OPERATOR_DESC>();
        join->InputCount = (uint)descs.Length;
        join->InputTensors = arena.Copy<DML_TENSOR_DESC>(descs);
        join->OutputTensor = TensorDesc(arena, node.Output.Shape);
        join->Axis = (uint)(((ConcatOp)node.Op).Axis + DimensionCount - node.Output.Rank);
        return [Op(arena, DML_OPERATOR_JOIN, join)];
    }

    /// <summary>DirectML tensors have no zero sizes.</summary>
    static void RefuseEmptySlice(Node node)
    {
        if (node.Op is SliceOp { Length: 0 } || (node.Op is SliceGradOp sg && node.Inputs[0].Shape[sg.Axis] == 0))
            throw new NotSupportedException($"The DirectML graph builder does not lower empty slices (DirectML tensors have no zero sizes); {node.Op.Describe()} at {Where(node)}.");
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
}
