using Dsl.Execution;
using Dsl.Operators;
using static Dsl.Tests.Gradients.InputSpec;

namespace Dsl.Tests.Gradients;

/// <summary>
/// The gradient cases: together their forward graphs use every op of the catalogue
/// (checked by <see cref="CatalogueCoverageTests"/>).
/// </summary>
public static class GradientCases
{
    static GradientCase C(string name, Func<Tensor[], Tensor> body, params InputSpec[] inputs) => new(name, inputs, body);

    static readonly Shape S34 = new(3, 4);

    /// <summary>Every case by name.</summary>
    public static readonly IReadOnlyDictionary<string, GradientCase> All = new GradientCase[]
    {
        // Elementwise binary, with broadcasting on either side.
        C("add_broadcast", x => x[0] + x[1], F("a", S34), F("b", new(4))),
        C("sub_broadcast", x => x[0] - x[1], F("a", new(2, 1, 4)), F("b", new(3, 1))),
        C("mul_broadcast", x => x[0] * x[1], F("a", new(1, 4)), F("b", S34)),
        C("div", x => x[0] / x[1], F("a", S34), F("b", S34, 0.5, 2)),
        C("maximum", x => Ops.Maximum(x[0], x[1]), F("a", S34), F("b", new(4))),
        C("minimum", x => Ops.Minimum(x[0], x[1]), F("a", S34), F("b", S34)),
        C("where_broadcast", x => Ops.Where(Ops.Greater(x[0], x[1]), x[1], x[2]), F("a", S34), F("b", new(4)), F("c", new(3, 1))),
        C("greater_mask", x => x[0] * Ops.Greater(x[0], x[1]), F("a", S34), F("b", S34)),
        C("equal_mask", x => x[0] * Ops.Equal(x[0], Ops.Maximum(x[0], x[1])), F("a", S34), F("b", S34)),
        C("scalar_ops", x => (2.0 - x[0]) * 3.0 / 4.0 + 1.0, F("a", S34)),

        // Elementwise unary.
        C("neg", x => -x[0], F("x", S34)),
        C("exp", x => Ops.Exp(x[0]), F("x", S34)),
        C("log", x => Ops.Log(x[0]), F("x", S34, 0.5, 2)),
        C("sqrt", x => Ops.Sqrt(x[0]), F("x", S34, 0.5, 2)),
        C("rsqrt", x => Ops.Rsqrt(x[0]), F("x", S34, 0.5, 2)),
        C("pow3", x => Ops.PowScalar(x[0], 3), F("x", S34)),
        C("pow2", x => Ops.PowScalar(x[0], 2), F("x", S34)),
        C("abs", x => Ops.Abs(x[0]), F("x", S34)),
        C("sign_stops_gradient", x => x[0] * Ops.Sign(x[0]), F("x", S34)),
        C("relu", x => Ops.Relu(x[0]), F("x", S34)),
        C("relu_grad", x => Ops.ReluGrad(x[0], Ops.Relu(x[1])), F("dy", S34), F("x", S34)),
        C("erf", x => Ops.Erf(x[0]), F("x", S34)),
        C("gelu", x => Ops.Gelu(x[0]), F("x", S34, -3, 3)),
        C("gelu_grad", x => Ops.GeluGrad(x[0], x[1]), F("dy", S34), F("x", S34, -3, 3)),
        C("sigmoid", x => Ops.Sigmoid(x[0]), F("x", S34, -3, 3)),
        C("silu", x => Ops.Silu(x[0]), F("x", S34, -4, 4)),
        C("tanh", x => Ops.Tanh(x[0]), F("x", S34, -2, 2)),
        C("stop_gradient", x => x[0] * Ops.StopGradient(x[0]), F("x", S34)),
        C("cast_roundtrip", x => Ops.Cast(Ops.Cast(x[0], DType.Float32), DType.Float64) * x[0], F("x", S34)),

        // Reductions and the softmax family.
        C("sum_axis_keep", x => Ops.Sum(x[0], 1, keepDims: true) * x[0], F("x", new(2, 3, 4))),
        C("sum_all", x => Ops.Sum(x[0]), F("x", S34)),
        C("mean_axes", x => Ops.Mean(x[0], [0, 2]), F("x", new(2, 3, 4))),
        C("max_axis", x => Ops.Max(x[0], 1), F("x", new(2, 5, 3))),
        C("min_axes", x => Ops.Min(x[0], [0, 2], keepDims: true), F("x", new(2, 5, 3))),
        C("argmax_take", x => Ops.TakeAlongAxis(x[0], Ops.ArgMax(x[0], 1, keepDims: true), 1) * x[1], F("x", new(2, 5, 3)), F("w", new(2, 1, 3))),
        C("softmax", x => Ops.Softmax(x[0], -1), F("x", S34, -2, 2)),
        C("log_softmax", x => Ops.LogSoftmax(x[0], 0), F("x", S34, -2, 2)),
        C("softmax_grad", x => Ops.SoftmaxGrad(x[0], Ops.Softmax(x[1], -1), -1), F("dy", S34), F("x", S34, -2, 2)),
        C("log_softmax_grad", x => Ops.LogSoftmaxGrad(x[0], Ops.LogSoftmax(x[1], 0), 0), F("dy", S34), F("x", S34, -2, 2)),
        C("logsumexp", x => Ops.LogSumExp(x[0], 1), F("x", new(2, 5, 3), -2, 2)),

        // Layout.
        C("reshape", x => Ops.Reshape(x[0], 4, 3) * x[1], F("x", S34), F("w", new(4, 3))),
        C("expand", x => Ops.Expand(x[0], new Shape(2, 3, 4)) * x[1], F("x", new(3, 1)), F("w", new(2, 3, 4))),
        C("permute", x => Ops.Permute(x[0], 2, 0, 1) * x[1], F("x", new(2, 3, 4)), F("w", new(4, 2, 3))),
        C("transpose", x => Ops.Transpose(x[0]) * x[1], F("x", S34), F("w", new(4, 3))),
        C("slice_strided", x => Ops.Slice(x[0], 1, 1, 6, 2), F("x", new(2, 7))),
        C("slice_grad", x => Ops.SliceGrad(x[0], new Shape(2, 7), 1, 1, 2) * x[1], F("x", new(2, 3)), F("w", new(2, 7))),
        C("concat", x => Ops.Concat(1, x[0], x[1], x[0]), F("a", new(2, 3)), F("b", new(2, 2))),

        // Linear algebra.
        C("matmul", x => Ops.MatMul(x[0], x[1]), F("a", new(3, 4)), F("b", new(4, 5))),
        C("matmul_tA", x => Ops.MatMul(x[0], x[1], transposeA: true), F("a", new(4, 3)), F("b", new(4, 5))),
        C("matmul_tB", x => Ops.MatMul(x[0], x[1], transposeB: true), F("a", new(3, 4)), F("b", new(5, 4))),
        C("matmul_tAtB", x => Ops.MatMul(x[0], x[1], true, true), F("a", new(4, 3)), F("b", new(5, 4))),
        C("matmul_batched_broadcast", x => Ops.MatMul(x[0], x[1]), F("a", new(2, 3, 4)), F("b", new(4, 5))),
        C("attention", x => Ops.Attention(x[0], x[1], x[2]), F("q", new(2, 3, 4)), F("k", new(2, 5, 4)), F("v", new(2, 5, 3))),
        C("attention_self_scaled", x => Ops.Attention(x[0], x[0], x[0], 0.7), F("x", new(2, 4, 3))),
        C("attention_grad", x => AttentionGradient(x[0], x[1], x[2], x[3]), F("dy", new(2, 3, 3)), F("q", new(2, 3, 4)), F("k", new(2, 5, 4)), F("v", new(2, 5, 3))),
        C("linear", x => Ops.Linear(x[0], x[1], x[2]), F("x", new(2, 3, 4)), F("w", new(5, 4)), F("b", new(5))),

        // Normalisation.
        C("layer_norm", x => Ops.LayerNorm(x[0], x[1], x[2]), F("x", new(3, 5)), F("g", new(5)), F("b", new(5))),
        C("layer_norm_stats", x => LayerNormWithStats(x[0], x[1], x[2]), F("x", new(2, 3, 5)), F("g", new(5)), F("b", new(5))),
        C("batch_norm_2d", x => Ops.BatchNorm(x[0], x[1], x[2]).Output, F("x", new(6, 4)), F("g", new(4)), F("b", new(4))),
        C("batch_norm_4d_stats", x => BatchNormWithStats(x[0], x[1], x[2]), F("x", new(4, 3, 2, 2)), F("g", new(3)), F("b", new(3))),
        C("layer_norm_grad", x => LayerNormGradient(x[0], x[1], x[2], x[3]), F("dy", new(2, 3, 5)), F("x", new(2, 3, 5)), F("g", new(5)), F("b", new(5))),
        C("batch_norm_grad", x => BatchNormGradient(x[0], x[1], x[2], x[3]), F("dy", new(4, 3, 2, 2)), F("x", new(4, 3, 2, 2)), F("g", new(3)), F("b", new(3))),
        C("batch_norm_eval", x => Ops.BatchNormEval(x[0], x[1], x[2], x[3], x[4]),
            F("x", new(4, 3, 2, 2)), F("g", new(3)), F("b", new(3)), F("rm", new(3)), F("rv", new(3), 0.5, 2)),

        // Convolution and pooling.
        C("conv2d_s2_p1", x => Ops.Conv2d(x[0], x[1], 2, 1), F("x", new(2, 3, 7, 7)), F("w", new(4, 3, 3, 3))),
        C("conv2d_bias", x => Ops.Conv2d(x[0], x[1], x[2]), F("x", new(2, 2, 5, 5)), F("w", new(3, 2, 3, 3)), F("b", new(3))),
        C("conv2d_input_grad", x => Ops.Conv2dInputGrad(x[0], x[1], new Shape(2, 3, 7, 7), 2, 1), F("dy", new(2, 4, 4, 4)), F("w", new(4, 3, 3, 3))),
        C("conv2d_weight_grad", x => Ops.Conv2dWeightGrad(x[0], x[1], new Shape(4, 3, 3, 3), 2, 1), F("x", new(2, 3, 7, 7)), F("dy", new(2, 4, 4, 4))),
        C("conv2d_groups2", x => Ops.Conv2d(x[0], x[1], 1, 1, groups: 2), F("x", new(2, 4, 5, 5)), F("w", new(6, 2, 3, 3))),
        C("conv2d_depthwise", x => Ops.Conv2d(x[0], x[1], 2, 1, groups: 3), F("x", new(2, 3, 7, 6)), F("w", new(3, 1, 3, 3))),
        C("conv2d_depthwise_multiplier", x => Ops.Conv2d(x[0], x[1], x[2], 1, 0, groups: 2), F("x", new(2, 2, 5, 5)), F("w", new(4, 1, 2, 2)), F("b", new(4))),
        C("conv2d_input_grad_groups", x => Ops.Conv2dInputGrad(x[0], x[1], new Shape(2, 4, 8, 7), 2, 1, groups: 2), F("dy", new(2, 6, 4, 4)), F("w", new(6, 2, 3, 3))),
        C("conv2d_weight_grad_groups", x => Ops.Conv2dWeightGrad(x[0], x[1], new Shape(6, 2, 3, 3), 2, 1, groups: 2), F("x", new(2, 4, 8, 7)), F("dy", new(2, 6, 4, 4))),
        C("max_pool2d", x => Ops.MaxPool2d(x[0], 2), F("x", new(2, 3, 4, 6))),
        C("max_pool2d_overlap", x => Ops.MaxPool2d(x[0], 3, 2, 1), F("x", new(2, 2, 7, 7))),
        C("avg_pool2d", x => Ops.AvgPool2d(x[0], 2), F("x", new(2, 3, 4, 6))),
        C("avg_pool2d_overlap", x => Ops.AvgPool2d(x[0], 3, 2, 1), F("x", new(2, 2, 7, 7))),
        C("avg_pool2d_grad", x => Ops.AvgPool2dGrad(x[0], new Shape(2, 2, 7, 7), 3, 2, 1), F("dy", new(2, 2, 4, 4))),
        C("global_avg_pool2d", x => Ops.GlobalAvgPool2d(x[0]), F("x", new(2, 3, 4, 4))),

        // Indexing.
        C("embedding", x => Ops.Embedding(x[0], x[1]), F("table", new(5, 3)), I("idx", new(2, 4), 5)),
        C("upsample_nearest2d", x => Ops.UpsampleNearest2d(x[0], 2), F("x", new(1, 2, 3, 2))),
        C("upsample_bilinear2d", x => Ops.UpsampleBilinear2d(x[0], 2), F("x", new(1, 2, 3, 4))),
        C("upsample_bilinear2d_x3", x => Ops.UpsampleBilinear2d(x[0], 3), F("x", new(2, 1, 2, 3))),
        C("gather_rows", x => Ops.Gather(x[0], x[1], 0), F("table", new(5, 3)), I("idx", new(7), 5)),
        C("index_add", x => Ops.IndexAdd(x[0], x[1], 0, new Shape(5, 3)), F("src", new(7, 3)), I("idx", new(7), 5)),
        C("take_along_axis", x => Ops.TakeAlongAxis(x[0], x[1], 1), F("x", new(3, 5)), I("idx", new(3, 4), 5)),
        C("scatter_add", x => Ops.ScatterAdd(x[0], x[1], 1, new Shape(3, 5)), F("src", new(3, 4)), I("idx", new(3, 4), 5)),
        C("top_k", x => Ops.TopK(x[0], 3).Values, F("x", new(2, 3, 7))),
        C("top_k_whole_axis", x => Ops.TopK(x[0], 5).Values * x[1], F("x", new(4, 5)), F("w", new(4, 5))),
        C("argsort_shuffle", x => Ops.TakeAlongAxis(x[0], Ops.Argsort(x[1], 1), 1), F("x", new(3, 6)), F("noise", new(3, 6))),

        // Creation and randomness (seeded, so the oracle draws the same numbers).
        C("constant_table", x => x[0] * Ops.Constant(x[0].Graph, HostTensor.F64(S34, Enumerable.Range(0, 12).Select(i => i / 7.0).ToArray())), F("x", S34)),
        C("full", x => x[0] + Ops.Full(x[0].Graph, S34, 0.25, DType.Float64), F("x", S34)),
        C("random_normal_noise", x => x[0] * Ops.RandomNormal(x[1], S34, DType.Float64), F("x", S34), Fixed("seed", HostTensor.I64(new(2), [7, 3]))),
        C("dropout", x => Ops.Dropout(x[0], 0.3, x[1]), F("x", new(4, 8)), Fixed("seed", HostTensor.I64(new(2), [11, 0]))),

        // Composites used by the models.
        C("l2_normalize", x => Ops.L2Normalize(x[0], 1), F("x", S34)),
        C("l2_normalize_zero_row", x => Ops.L2Normalize(x[0] * Ops.Constant(x[0].Graph, HostTensor.F64(new Shape(3, 1), [1, 0, 1])), 1), F("x", S34)),
        C("cross_entropy", x => Ops.CrossEntropy(x[0], x[1]), F("logits", new(6, 4), -2, 2), I("labels", new(6), 4)),
        C("mlp", x => Ops.Linear(Ops.Gelu(Ops.Linear(x[0], x[1], x[2])), x[3]), F("x", new(4, 3)), F("w1", new(5, 3)), F("b1", new(5)), F("w2", new(2, 5))),
    }.ToDictionary(c => c.Name);

    static Tensor LayerNormWithStats(Tensor x, Tensor g, Tensor b)
    {
        var o = x.Graph.Apply(new LayerNormOp(1e-5), x, g, b);
        return o[0] + o[1] * 0.5 + o[2] * 0.25;
    }

    /// <summary>The three gradients of a layer norm from its own statistics, in one value.</summary>
    static Tensor LayerNormGradient(Tensor dy, Tensor x, Tensor g, Tensor b)
    {
        var o = x.Graph.Apply(new LayerNormOp(1e-5), x, g, b);
        var (dx, dg, db) = Ops.LayerNormGrad(dy, x, g, o[1], o[2]);
        return dx + dg * 0.5 + db * 0.25;
    }

    /// <summary>The three gradients of an attention, in one value ([2,3,4] from dq and dk, dv reduced to its rows).</summary>
    static Tensor AttentionGradient(Tensor dy, Tensor q, Tensor k, Tensor v)
    {
        var (dq, dk, dv) = Ops.AttentionGrad(dy, q, k, v, 0.6);
        return dq + Ops.Slice(dk, 1, 0, 3) * 0.5 + Ops.Slice(Ops.Sum(dv, 2, keepDims: true), 1, 0, 3) * 0.25;
    }

    /// <summary>The three gradients of a batch norm from its own batch statistics, in one value.</summary>
    static Tensor BatchNormGradient(Tensor dy, Tensor x, Tensor g, Tensor b)
    {
        var (_, mean, variance) = Ops.BatchNorm(x, g, b);
        var (dx, dg, db) = Ops.BatchNormGrad(dy, x, g, mean, variance);
        var cs = new Shape(1, x.Shape[1], 1, 1);
        return dx + Ops.Reshape(dg, cs) * 0.5 + Ops.Reshape(db, cs) * 0.25;
    }

    static Tensor BatchNormWithStats(Tensor x, Tensor g, Tensor b)
    {
        var (y, mean, variance) = Ops.BatchNorm(x, g, b);
        var cs = new Shape(1, x.Shape[1], 1, 1);
        return y + Ops.Reshape(mean, cs) * 0.5 + Ops.Reshape(variance, cs) * 0.25;
    }

    /// <summary>Case names for xunit theories.</summary>
    public static TheoryData<string> Names => new(All.Keys);
}
