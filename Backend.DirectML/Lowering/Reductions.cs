using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Reductions (REDUCE) and softmax over the last axis.
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterReductions(Dictionary<Type, DmlOpRule> t)
    {
        Add<SumOp>(t, new(Plan("reduce SUM", DML_OPERATOR_REDUCE), DmlLayout.Reduction, Chain(LowerReduce)));
        Add<MeanOp>(t, new(Plan("reduce AVERAGE", DML_OPERATOR_REDUCE), DmlLayout.Reduction, Chain(LowerReduce)));
        Add<MaxOp>(t, new(Plan("reduce MAX", DML_OPERATOR_REDUCE), DmlLayout.Reduction, Chain(LowerReduce)));
        Add<MinOp>(t, new(Plan("reduce MIN", DML_OPERATOR_REDUCE), DmlLayout.Reduction, Chain(LowerReduce)));
        Add<ArgMaxOp>(t, new(Plan("reduce ARGMAX over the axis to UINT32 (the first of ties), cast to int64", DML_OPERATOR_REDUCE, DML_OPERATOR_CAST),
            DmlLayout.ArgMax, Chain(LowerArgMax))
        { Int64 = DmlInt64.IndexOutput });
        Add<LogSumExpOp>(t, new(Plan("reduce LOG_SUM_EXP", DML_OPERATOR_REDUCE), DmlLayout.LogSumExp, Chain(LowerReduce)));
        Add<SoftmaxOp>(t, new(Plan("softmax over the last axis of a 2-D view", DML_OPERATOR_ACTIVATION_SOFTMAX), DmlLayout.Softmax, Chain(LowerSoftmax)) { Refuse = RefuseSoftmaxAxis });
        Add<LogSoftmaxOp>(t, new(Plan("log-softmax over the last axis of a 2-D view", DML_OPERATOR_ACTIVATION_LOG_SOFTMAX), DmlLayout.Softmax, Chain(LowerSoftmax)) { Refuse = RefuseSoftmaxAxis });
    }

    /// <summary>Sum, Mean, Max over axes and LogSumExp over one: REDUCE, reduced dimensions kept as 1 (the same packed buffer as the IR output with or without keepDims).</summary>
    static DML_OPERATOR_DESC*[] LowerReduce(DmlNativeArena arena, Node node)
    {
        IEnumerable<int> reducedAxes = node.Op is LogSumExpOp lse ? [lse.Axis] : ((ReduceOp)node.Op).Axes;
        var inShape = node.Inputs[0].Shape;
        var lead = DimensionCount - inShape.Rank;
        var outSizes = Pad(inShape);
        var axes = reducedAxes.Select(a => (uint)(a + lead)).Order().ToArray();
        foreach (var a in axes)
            outSizes[a] = 1;
        var reduce = arena.Alloc<DML_REDUCE_OPERATOR_DESC>();
        reduce->Function = node.Op switch
        {
            SumOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM,
            MeanOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE,
            MinOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_MIN,
            LogSumExpOp => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_LOG_SUM_EXP,
            _ => DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_MAX,
        };
        reduce->InputTensor = TensorDesc(arena, inShape);
        reduce->OutputTensor = TensorDesc(arena, outSizes, null);
        reduce->AxisCount = (uint)axes.Length;
        reduce->Axes = arena.Copy<uint>(axes);
        return [Op(arena, DML_OPERATOR_REDUCE, reduce)];
    }

    /// <summary>
    /// ArgMax: REDUCE ARGMAX over the axis, its index written as UINT32 (the reduced dimension kept
    /// as 1: the same packed buffer with or without keepDims), then CAST to the IR's INT64, as
    /// top-k's indices are.
    /// </summary>
    static DML_OPERATOR_DESC*[] LowerArgMax(DmlNativeArena arena, Node node)
    {
        var inShape = node.Inputs[0].Shape;
        var outSizes = Pad(inShape);
        var axis = (uint)(((ArgMaxOp)node.Op).Axis + DimensionCount - inShape.Rank);
        outSizes[axis] = 1;
        var reduce = arena.Alloc<DML_REDUCE_OPERATOR_DESC>();
        reduce->Function = DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_ARGMAX;
        reduce->InputTensor = TensorDesc(arena, inShape);
        reduce->OutputTensor = TensorDesc(arena, outSizes, null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32);
        reduce->AxisCount = 1;
        reduce->Axes = arena.Copy<uint>([axis]);
        return [Op(arena, DML_OPERATOR_REDUCE, reduce), Cast(arena, TensorDesc(arena, outSizes, null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32), StatShape(outSizes), DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64)];
    }

    /// <summary>
    /// ACTIVATION_(LOG_)SOFTMAX normalizes the last dimension of an effective-rank-2 tensor: the
    /// input viewed as [1, 1, rows, last axis] (the same packed buffer).
    /// </summary>
    static DML_OPERATOR_DESC*[] LowerSoftmax(DmlNativeArena arena, Node node)
    {
        var shape = node.Inputs[0].Shape;
        var last = shape.Rank == 0 ? 1 : shape[shape.Rank - 1];
        uint rows = 1;
        for (var d = 0; d < shape.Rank - 1; d++)
            rows *= checked((uint)shape[d]);
        uint[] view = [1, 1, rows, checked((uint)last)];
        // Both descriptions share one layout {InputTensor, OutputTensor}.
        var softmax = arena.Alloc<DML_ACTIVATION_SOFTMAX_OPERATOR_DESC>();
        softmax->InputTensor = TensorDesc(arena, view, null);
        softmax->OutputTensor = TensorDesc(arena, view, null);
        return [Op(arena, node.Op is SoftmaxOp ? DML_OPERATOR_ACTIVATION_SOFTMAX : DML_OPERATOR_ACTIVATION_LOG_SOFTMAX, softmax)];
    }

    static void RefuseSoftmaxAxis(Node node)
    {
        if (((AxisOp)node.Op).Axis != node.Inputs[0].Rank - 1)
            throw new NotSupportedException($"The DirectML graph builder lowers softmax and log_softmax over the last axis only (below feature level 5_1 DirectML has no axis choice); {node.Inputs[0]} at {Where(node)}.");
    }
}
