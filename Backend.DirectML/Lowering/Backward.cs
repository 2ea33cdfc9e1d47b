using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// The backward ops DirectML has no operator for at 3_0 (BATCH_NORMALIZATION_GRAD, 3_1, is the
// inference form): their decompositions, each op lowered as its own rule says.
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterBackward(Dictionary<Type, DmlOpRule> t)
    {
        Add<GeluGradOp>(t, Decomposed(Plan("decomposed: dy·(Φ(x) + x·φ(x)) by ERF, CONSTANT_POW, EXP and element-wise arithmetic with filled scalars",
            DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ELEMENT_WISE_ERF, DML_OPERATOR_ELEMENT_WISE_ADD, DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW, DML_OPERATOR_ELEMENT_WISE_EXP)));
        Add<SoftmaxGradOp>(t, Decomposed(Plan("decomposed: y·(dy - Σ dy·y) by MULTIPLY, REDUCE SUM, SUBTRACT",
            DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT)));
        Add<LogSoftmaxGradOp>(t, Decomposed(Plan("decomposed: dy - exp(y)·Σ dy by EXP, REDUCE SUM, MULTIPLY, SUBTRACT",
            DML_OPERATOR_ELEMENT_WISE_EXP, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ELEMENT_WISE_SUBTRACT)));
        Add<LayerNormGradOp>(t, Decomposed(Plan("decomposed: x̂ from the saved statistics, dx = rstd·(dŷ - mean(dŷ) - x̂·mean(dŷ·x̂)), dγ and dβ by REDUCE SUM",
            DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE)));
        Add<AttentionOp>(t, Decomposed(Plan("decomposed: softmax(q·kᵀ·scale)·v by GEMM, a filled scale, MULTIPLY and the softmax row",
            DML_OPERATOR_GEMM, DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ACTIVATION_SOFTMAX)));
        Add<AttentionGradOp>(t, Decomposed(Plan("decomposed: the weights recomputed as attention's, dv = pᵀ·dy, ds = softmax_grad(dy·vᵀ, p)·scale, dq = ds·k, dk = dsᵀ·q by GEMM, REDUCE SUM and element-wise arithmetic",
            DML_OPERATOR_GEMM, DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ACTIVATION_SOFTMAX, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT)));
        var batchNormGrad = Upgradable("decomposed as layer_norm_grad per channel, rstd = 1/√(σ² + ε) by a filled ε, ADD, SQRT, RECIP; one training-gradient operator from 4_1",
            DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD, DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_ADD, DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_RECIP,
            DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE);
        Add<BatchNormGradOp>(t, new(batchNormGrad, DmlLayout.Decomposed, (c, node) => c.Has(DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD)
            ? LowerBatchNormGrad(c.Arena, node, (BatchNormGradOp)node.Op)
            : DmlGraphBuilder.LowerDecomposition(c, node)));
    }

    /// <summary>A <see cref="DecomposableOp"/> lowered as its decomposition (<see cref="DmlGraphBuilder.LowerDecomposition"/>).</summary>
    public static DmlOpRule Decomposed(DmlPlan plan) => new(plan, DmlLayout.Decomposed, DmlGraphBuilder.LowerDecomposition);

    /// <summary>
    /// batch_norm_grad from feature level 4_1: one BATCH_NORMALIZATION_TRAINING_GRAD on x and dy viewed
    /// as [N, C, H, W] (trailing 1s), the statistics and γ as [1, C, 1, 1] (the same [C] buffers);
    /// below 4_1 its decomposition (<see cref="DmlGraphBuilder.LowerDecomposition"/>).
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
}
