using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

internal static unsafe partial class DmlGraphBuilder
{
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
    /// operator (see <see cref="OpMapping"/>).
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

    /// <summary>
    /// batch_norm_grad from feature level 4_1: one BATCH_NORMALIZATION_TRAINING_GRAD on x and dy viewed
    /// as [N, C, H, W] (trailing 1s), the statistics and γ as [1, C, 1, 1] (the same [C] buffers);
    /// below 4_1 its decomposition (<see cref="LowerDecomposition"/>).
    /// </summary>
    static DmlLowering LowerBatchNormGrad(DmlNativeArena arena, Node node, BatchNormGradOp bg)
    {
        var x = node.Inputs[1].Shape;
        var xs = new uint[DimensionCount];
        for (var a = 0; a < DimensionCount; a++)
            xs[a] = a < x.Rank ? (uint)x[a] : 1;
        uint[] stat = [1, xs[1], 1, 1];
        var grad = arena.Alloc<DML_BATCH_NORMALIZATION_TRAINING_GRAD_OPERATOR_DESC>();
        grad->InputTensor = TensorDesc(arena, xs, null);
        grad->InputGradientTensor = TensorDesc(arena, xs, null);
        grad->MeanTensor = TensorDesc(arena, stat, null);
        grad->VarianceTensor = TensorDesc(arena, stat, null);
        grad->ScaleTensor = TensorDesc(arena, stat, null);
        grad->OutputGradientTensor = TensorDesc(arena, xs, null);
        grad->OutputScaleGradientTensor = TensorDesc(arena, stat, null);
        grad->OutputBiasGradientTensor = TensorDesc(arena, stat, null);
        grad->Epsilon = (float)bg.Eps;
        // The operator binds (x, dy, mean, variance, scale); the node's inputs are (dy, x, γ, mean, variance).
        var part = Part(Op(arena, DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD, grad), DmlRead.Input(1), DmlRead.Input(0), DmlRead.Input(3), DmlRead.Input(4), DmlRead.Input(2));
        return new DmlLowering([part], [new(0, 0), new DmlRead(0, 1), new DmlRead(0, 2)]);
    }

    /// <summary>
    /// GELU, exact (erf) form: from feature level 5_1 one ACTIVATION_GELU; below it ERF with
    /// scale 1/√2, IDENTITY with scale ½ and bias ½ (the normal CDF), MULTIPLY by x.
    /// </summary>
    static DmlLowering LowerGelu(DmlNativeArena arena, Node node, DML_FEATURE_LEVEL featureLevel)
    {
        var shape = node.Inputs[0].Shape;
        if (featureLevel >= DmlOperatorLevels.IntroducedAt(DML_OPERATOR_ACTIVATION_GELU))
        {
            var gelu = arena.Alloc<DML_ACTIVATION_GELU_OPERATOR_DESC>();
            gelu->InputTensor = TensorDesc(arena, shape);
            gelu->OutputTensor = TensorDesc(arena, shape);
            return new DmlLowering([Part(Op(arena, DML_OPERATOR_ACTIVATION_GELU, gelu), DmlRead.Input(0))], [new DmlRead(0, 0)]);
        }
        var erfScale = arena.Alloc<DML_SCALE_BIAS>();
        *erfScale = new DML_SCALE_BIAS { Scale = (float)(1 / Math.Sqrt(2)), Bias = 0f };
        var half = arena.Alloc<DML_SCALE_BIAS>();
        *half = new DML_SCALE_BIAS { Scale = 0.5f, Bias = 0.5f };
        var erf = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_ERF, TensorDesc(arena, shape), shape, erfScale), DmlRead.Input(0));
        var cdf = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, shape), shape, half), new DmlRead(0, 0));
        var product = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, TensorDesc(arena, shape), TensorDesc(arena, shape), Pad(shape)), DmlRead.Input(0), new DmlRead(1, 0));
        return new DmlLowering([erf, cdf, product], [new(2, 0)]);
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
        return Op(arena, DML_OPERATOR_REDUCE, reduce);
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

    /// <summary>4-D sizes as a Shape (for <see cref="ScaleBiasUnary"/>, which pads it back to the same sizes).</summary>
    static Shape StatShape(uint[] sizes) => new([.. sizes.Select(s => (int)s)]);
}
