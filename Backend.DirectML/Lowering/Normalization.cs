using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Layer norm (MVN1) and batch norm in training mode (statistics by REDUCE, then BATCH_NORMALIZATION).
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterNormalization(Dictionary<Type, DmlOpRule> t)
    {
        Add<LayerNormOp>(t, new(Plan("MVN1 over the last axis with scale and bias; mean and rstd (the backward's inputs), when read: REDUCE AVERAGE, SUBTRACT, REDUCE SUM_SQUARE, SQRT with scale 1/D and bias ε, RECIP",
            DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_RECIP),
            DmlLayout.LastAxis, (c, node) => LowerLayerNorm(c.Arena, node, (LayerNormOp)node.Op, c.IsRead(1) || c.IsRead(2))));
        Add<BatchNormOp>(t, new(Plan("batch mean (REDUCE AVERAGE) and biased variance (SUBTRACT, REDUCE SUM_SQUARE, IDENTITY with scale 1/count), then spatial BATCH_NORMALIZATION",
            DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_BATCH_NORMALIZATION),
            DmlLayout.Fixed, (c, node) => LowerBatchNorm(c.Arena, node, (BatchNormOp)node.Op)));
    }

    /// <summary>
    /// LayerNorm over the last axis of x viewed as [1, 1, rows, D]: y is one
    /// MEAN_VARIANCE_NORMALIZATION1 over axis 3 with γ and β read with zero strides. The saved
    /// statistics (the backward's inputs), only when something reads them: mean by REDUCE
    /// AVERAGE; rstd = 1 / √(Σ(x - mean)² / D + ε) by SUBTRACT, REDUCE SUM_SQUARE, SQRT with
    /// scale 1/D and bias ε, RECIP. MVN computes its own (equal, biased) variance: DirectML
    /// has no MVN output for the statistics below 6_3.
    /// </summary>
    static DmlLowering LowerLayerNorm(DmlNativeArena arena, Node node, LayerNormOp ln, bool statisticsRead)
    {
        var x = node.Inputs[0].Shape;
        var d = (uint)x[-1];
        var rows = (uint)(x.Numel / d);
        uint[] xs = [1, 1, rows, d], stat = [1, 1, rows, 1];
        var mvn = arena.Alloc<DML_MEAN_VARIANCE_NORMALIZATION1_OPERATOR_DESC>();
        mvn->InputTensor = TensorDesc(arena, xs, null);
        mvn->ScaleTensor = TensorDesc(arena, xs, [0, 0, 0, 1]);
        mvn->BiasTensor = TensorDesc(arena, xs, [0, 0, 0, 1]);
        mvn->OutputTensor = TensorDesc(arena, xs, null);
        mvn->AxisCount = 1;
        mvn->Axes = arena.Copy<uint>([3]);
        mvn->NormalizeVariance = 1;
        mvn->Epsilon = (float)ln.Eps;
        mvn->FusedActivation = null;
        var y = Part(Op(arena, DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1, mvn), DmlRead.Input(0), DmlRead.Input(1), DmlRead.Input(2));
        if (!statisticsRead)
        {
            // Nothing reads mean or rstd: they are not computed, and no edge leaves these outputs.
            return new DmlLowering([y], [new(0, 0), new DmlRead(0, 0), new DmlRead(0, 0)]);
        }

        var mean = Part(Reduce(arena, DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE, xs, stat, [3]), DmlRead.Input(0));
        var centred = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, TensorDesc(arena, xs, null), TensorDesc(arena, xs, [0, 0, 1, 0]), xs), DmlRead.Input(0), new DmlRead(1, 0));
        var squares = Part(Reduce(arena, DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM_SQUARE, xs, stat, [3]), new DmlRead(2, 0));
        var scaleBias = arena.Alloc<DML_SCALE_BIAS>();
        *scaleBias = new DML_SCALE_BIAS { Scale = 1f / d, Bias = (float)ln.Eps };
        var std = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_SQRT, TensorDesc(arena, stat, null), StatShape(stat), scaleBias), new DmlRead(3, 0));
        var rstd = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_RECIP, TensorDesc(arena, stat, null), StatShape(stat), null), new DmlRead(4, 0));
        return new DmlLowering([y, mean, centred, squares, std, rstd], [new(0, 0), new DmlRead(1, 0), new DmlRead(5, 0)]);
    }

    /// <summary>
    /// BatchNorm in training mode on x viewed as [N, C, H, W] (trailing 1s for [N, C] and
    /// [N, C, L]): batch mean by REDUCE AVERAGE over axes 0, 2, 3; biased variance by SUBTRACT,
    /// REDUCE SUM_SQUARE and IDENTITY with scale 1/count; y by BATCH_NORMALIZATION (spatial) with
    /// those statistics. Mean and variance are the op's outputs 1 and 2 ([C], the same buffers as
    /// [1, C, 1, 1]). From feature level 4_1 BATCH_NORMALIZATION_TRAINING does all of it in one
    /// operator (not used yet).
    /// </summary>
    static DmlLowering LowerBatchNorm(DmlNativeArena arena, Node node, BatchNormOp bn)
    {
        var x = node.Inputs[0].Shape;
        var xs = new uint[DimensionCount];
        for (var a = 0; a < DimensionCount; a++)
            xs[a] = a < x.Rank ? (uint)x[a] : 1;
        uint[] stat = [1, xs[1], 1, 1], axes = [0, 2, 3];
        var count = (float)(x.Numel / x[1]);
        uint[] channelStrides = [0, 1, 0, 0];

        var mean = Part(Reduce(arena, DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_AVERAGE, xs, stat, axes), DmlRead.Input(0));
        var centred = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, TensorDesc(arena, xs, null), TensorDesc(arena, xs, channelStrides), xs), DmlRead.Input(0), new DmlRead(0, 0));
        var squares = Part(Reduce(arena, DML_REDUCE_FUNCTION.DML_REDUCE_FUNCTION_SUM_SQUARE, xs, stat, axes), new DmlRead(1, 0));
        var scale = arena.Alloc<DML_SCALE_BIAS>();
        *scale = new DML_SCALE_BIAS { Scale = 1f / count, Bias = 0f };
        var variance = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, stat, null), StatShape(stat), scale), new DmlRead(2, 0));

        var norm = arena.Alloc<DML_BATCH_NORMALIZATION_OPERATOR_DESC>();
        norm->InputTensor = TensorDesc(arena, xs, null);
        norm->MeanTensor = TensorDesc(arena, stat, null);
        norm->VarianceTensor = TensorDesc(arena, stat, null);
        norm->ScaleTensor = TensorDesc(arena, stat, null);
        norm->BiasTensor = TensorDesc(arena, stat, null);
        norm->OutputTensor = TensorDesc(arena, xs, null);
        norm->Spatial = 1;
        norm->Epsilon = (float)bn.Eps;
        norm->FusedActivation = null;
        var y = Part(Op(arena, DML_OPERATOR_BATCH_NORMALIZATION, norm), DmlRead.Input(0), new DmlRead(0, 0), new DmlRead(3, 0), DmlRead.Input(1), DmlRead.Input(2));
        return new DmlLowering([mean, centred, squares, variance, y], [new(4, 0), new DmlRead(0, 0), new DmlRead(3, 0)]);
    }
}
