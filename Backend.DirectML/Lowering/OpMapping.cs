using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_FEATURE_LEVEL;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// How one IR op is to be lowered: the DirectML operators that do it at the backend's minimum
/// feature level (none: a view or a bound buffer, no dispatch), and optionally a better form on
/// devices that have a later level.
/// </summary>
/// <param name="Operators">Operators used at <see cref="DirectMLAvailability.MinimumFeatureLevel"/>.</param>
/// <param name="How">One line: the lowering, for docs and error messages.</param>
/// <param name="Upgrade">A single operator that replaces them from <see cref="UpgradeLevel"/> on.</param>
internal sealed record OpLowering(DML_OPERATOR_TYPE[] Operators, string How, DML_OPERATOR_TYPE? Upgrade = null)
{
    /// <summary>The feature level of <see cref="Upgrade"/>.</summary>
    public DML_FEATURE_LEVEL? UpgradeLevel => Upgrade is { } u ? DmlOperatorLevels.IntroducedAt(u) : null;

    /// <summary>The highest level any of <see cref="Operators"/> needs (1_0 for none).</summary>
    public DML_FEATURE_LEVEL RequiredLevel => Operators.Length == 0 ? DML_FEATURE_LEVEL_1_0 : Operators.Max(DmlOperatorLevels.IntroducedAt);
}

/// <summary>
/// The lowering plan of every op of the IR catalogue to DirectML operators (issue 6, step 3).
/// It is a plan: no op is lowered yet. Broadcasts, permutes and expands are strides on the
/// tensor descriptors, not copies; ops DirectML has no operator for (the convolution weight
/// gradient, scatter-add, GELU below 5_1) are composed from others, as the tests of this table
/// and docs/directml.md record.
/// </summary>
internal static class OpMapping
{
    static OpLowering L(string how, params DML_OPERATOR_TYPE[] ops) => new(ops, how);
    static OpLowering Upgradable(string how, DML_OPERATOR_TYPE upgrade, params DML_OPERATOR_TYPE[] ops) => new(ops, how, upgrade);

    /// <summary>The plan, by IR op type.</summary>
    public static IReadOnlyDictionary<Type, OpLowering> ByOp { get; } = new Dictionary<Type, OpLowering>
    {
        [typeof(AbsOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_ABS),
        [typeof(AddOp)] = L("element-wise; broadcast by zero strides", DML_OPERATOR_ELEMENT_WISE_ADD),
        [typeof(SubOp)] = L("element-wise; broadcast by zero strides", DML_OPERATOR_ELEMENT_WISE_SUBTRACT),
        [typeof(MulOp)] = L("element-wise; broadcast by zero strides", DML_OPERATOR_ELEMENT_WISE_MULTIPLY),
        [typeof(DivOp)] = L("element-wise; broadcast by zero strides", DML_OPERATOR_ELEMENT_WISE_DIVIDE),
        [typeof(MaximumOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_MAX),
        [typeof(MinimumOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_MIN),
        [typeof(NegOp)] = Upgradable("identity with scale -1 (DML_SCALE_BIAS)", DML_OPERATOR_ELEMENT_WISE_NEGATE, DML_OPERATOR_ELEMENT_WISE_IDENTITY),
        [typeof(ExpOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_EXP),
        [typeof(LogOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_LOG),
        [typeof(SqrtOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_SQRT),
        [typeof(RsqrtOp)] = L("sqrt then reciprocal", DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_RECIP),
        [typeof(PowScalarOp)] = L("element-wise constant power", DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW),
        [typeof(SignOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_SIGN),
        [typeof(ErfOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_ERF),
        [typeof(TanhOp)] = L("element-wise", DML_OPERATOR_ELEMENT_WISE_TANH),
        [typeof(SigmoidOp)] = L("activation", DML_OPERATOR_ACTIVATION_SIGMOID),
        [typeof(ReluOp)] = L("activation", DML_OPERATOR_ACTIVATION_RELU),
        [typeof(ReluGradOp)] = L("activation gradient, reading y where DirectML reads the forward input (same sign)", DML_OPERATOR_ACTIVATION_RELU_GRAD),
        [typeof(GeluOp)] = Upgradable("0.5·x·(1 + erf(x/√2)) below 5_1: ERF with scale 1/√2, IDENTITY with scale and bias ½, MULTIPLY by x", DML_OPERATOR_ACTIVATION_GELU,
            DML_OPERATOR_ELEMENT_WISE_ERF, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ELEMENT_WISE_IDENTITY),
        [typeof(GreaterOp)] = L("logical compare (uint8) then cast to the float type", DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN, DML_OPERATOR_CAST),
        [typeof(EqualOp)] = L("logical compare (uint8) then cast to the float type", DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS, DML_OPERATOR_CAST),
        [typeof(CastOp)] = L("cast", DML_OPERATOR_CAST),
        [typeof(StopGradientOp)] = L("none: an alias of its input (gradients are a graph-level matter)"),
        [typeof(ReshapeOp)] = L("none: the same buffer under new sizes (contiguous inputs)"),
        [typeof(PermuteOp)] = L("identity copy reading the input through permuted strides (above the dimensions DirectML takes: a chain of block moves); int64 by an INT64 → INT64 cast (IDENTITY has no INT64 at 3_0)",
            DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_CAST),
        [typeof(ExpandOp)] = L("identity copy reading the input with zero strides; int64 by an INT64 → INT64 cast (IDENTITY has no INT64 at 3_0)",
            DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_CAST),
        [typeof(SliceOp)] = L("strided slice; int64 cast to INT32 and back around it (SLICE1 has no INT64 at 3_0)", DML_OPERATOR_SLICE1, DML_OPERATOR_CAST),
        [typeof(SliceGradOp)] = L("slice gradient (zero-padded)", DML_OPERATOR_SLICE_GRAD),
        [typeof(ConcatOp)] = L("join along the axis", DML_OPERATOR_JOIN),
        [typeof(ConstantOp)] = L("none: uploaded once into a bound persistent buffer"),
        [typeof(FullOp)] = L("fill with a constant", DML_OPERATOR_FILL_VALUE_CONSTANT),
        [typeof(RandomUniformOp)] = L("Philox state [stream ×4, seed, offset] by fill, cast and join; the bits cast to float32 and clipped with scale 2^-32 to [0, 1)",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_CAST, DML_OPERATOR_JOIN, DML_OPERATOR_RANDOM_GENERATOR, DML_OPERATOR_ELEMENT_WISE_CLIP),
        [typeof(RandomNormalOp)] = L("two generators (the second from the first's output state) through Box-Muller",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_CAST, DML_OPERATOR_JOIN, DML_OPERATOR_RANDOM_GENERATOR, DML_OPERATOR_ELEMENT_WISE_CLIP,
            DML_OPERATOR_ELEMENT_WISE_LOG, DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_COS, DML_OPERATOR_ELEMENT_WISE_MULTIPLY),
        [typeof(MatMulOp)] = L("GEMM on 4-D tensors, batch dimensions leading, broadcast ones by zero strides ([B,T,D]@[D,E]: B folded into the rows); transposes as flags", DML_OPERATOR_GEMM),
        [typeof(SumOp)] = L("reduce SUM", DML_OPERATOR_REDUCE),
        [typeof(MeanOp)] = L("reduce AVERAGE", DML_OPERATOR_REDUCE),
        [typeof(MaxOp)] = L("reduce MAX", DML_OPERATOR_REDUCE),
        [typeof(LogSumExpOp)] = L("reduce LOG_SUM_EXP", DML_OPERATOR_REDUCE),
        [typeof(SoftmaxOp)] = Upgradable("softmax over the last axis of a 2-D view", DML_OPERATOR_ACTIVATION_SOFTMAX1, DML_OPERATOR_ACTIVATION_SOFTMAX),
        [typeof(LogSoftmaxOp)] = Upgradable("log-softmax over the last axis of a 2-D view", DML_OPERATOR_ACTIVATION_LOG_SOFTMAX1, DML_OPERATOR_ACTIVATION_LOG_SOFTMAX),
        [typeof(LayerNormOp)] = L("MVN1 over the last axis with scale and bias; mean and rstd (the backward's inputs), when read: REDUCE AVERAGE, SUBTRACT, REDUCE SUM_SQUARE, SQRT with scale 1/D and bias ε, RECIP",
            DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_RECIP),
        [typeof(BatchNormOp)] = Upgradable("batch mean (REDUCE AVERAGE) and biased variance (SUBTRACT, REDUCE SUM_SQUARE, IDENTITY with scale 1/count), then spatial BATCH_NORMALIZATION; one training operator from 4_1",
            DML_OPERATOR_BATCH_NORMALIZATION_TRAINING, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_IDENTITY, DML_OPERATOR_BATCH_NORMALIZATION),
        // No gradient operator for these at 3_0 (BATCH_NORMALIZATION_GRAD, 3_1, is the inference form): their decompositions, each op lowered as its row says.
        [typeof(GeluGradOp)] = L("decomposed: dy·(Φ(x) + x·φ(x)) by ERF, CONSTANT_POW, EXP and element-wise arithmetic with filled scalars",
            DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ELEMENT_WISE_ERF, DML_OPERATOR_ELEMENT_WISE_ADD, DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW, DML_OPERATOR_ELEMENT_WISE_EXP),
        [typeof(SoftmaxGradOp)] = L("decomposed: y·(dy - Σ dy·y) by MULTIPLY, REDUCE SUM, SUBTRACT",
            DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT),
        [typeof(LogSoftmaxGradOp)] = L("decomposed: dy - exp(y)·Σ dy by EXP, REDUCE SUM, MULTIPLY, SUBTRACT",
            DML_OPERATOR_ELEMENT_WISE_EXP, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ELEMENT_WISE_SUBTRACT),
        [typeof(LayerNormGradOp)] = L("decomposed: x̂ from the saved statistics, dx = rstd·(dŷ - mean(dŷ) - x̂·mean(dŷ·x̂)), dγ and dβ by REDUCE SUM",
            DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE),
        [typeof(BatchNormGradOp)] = Upgradable("decomposed as layer_norm_grad per channel, rstd = 1/√(σ² + ε) by a filled ε, ADD, SQRT, RECIP; one training-gradient operator from 4_1",
            DML_OPERATOR_BATCH_NORMALIZATION_TRAINING_GRAD, DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_ADD, DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_RECIP,
            DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE),
        [typeof(AttentionOp)] = L("decomposed: softmax(q·kᵀ·scale)·v by GEMM, a filled scale, MULTIPLY and the softmax row",
            DML_OPERATOR_GEMM, DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ACTIVATION_SOFTMAX),
        [typeof(AttentionGradOp)] = L("decomposed: the weights recomputed as attention's, dv = pᵀ·dy, ds = softmax_grad(dy·vᵀ, p)·scale, dq = ds·k, dk = dsᵀ·q by GEMM, REDUCE SUM and element-wise arithmetic",
            DML_OPERATOR_GEMM, DML_OPERATOR_FILL_VALUE_CONSTANT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ACTIVATION_SOFTMAX, DML_OPERATOR_REDUCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT),
        [typeof(Conv2dOp)] = L("convolution, forward, cross-correlation", DML_OPERATOR_CONVOLUTION),
        [typeof(Conv2dInputGradOp)] = L("convolution, backward direction (transposed), output padding for the forward's floor", DML_OPERATOR_CONVOLUTION),
        [typeof(Conv2dWeightGradOp)] = L("no weight-gradient operator: convolution of x and dy with batch and channel axes swapped by strides, dilation = stride, the output transposed by strides; rows the floor dropped left out of the padding or view",
            DML_OPERATOR_CONVOLUTION),
        [typeof(MaxPool2dOp)] = L("max pooling; when its indices are read, MAX_POOLING2's UINT32 indices (flat over the whole input) less the planes' offsets (n·C + c)·H·W from FILL_VALUE_SEQUENCE, cast to int64; inputs up to 2^32 elements",
            DML_OPERATOR_MAX_POOLING2, DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_ELEMENT_WISE_SUBTRACT, DML_OPERATOR_CAST),
        [typeof(AvgPool2dOp)] = L("average pooling, padding counted in the divisor", DML_OPERATOR_AVERAGE_POOLING),
        [typeof(AvgPool2dGradOp)] = L("average pooling gradient, padding counted in the divisor", DML_OPERATOR_AVERAGE_POOLING_GRAD),
        [typeof(GatherOp)] = L("gather along the axis", DML_OPERATOR_GATHER),
        [typeof(TakeAlongAxisOp)] = L("gather elements", DML_OPERATOR_GATHER_ELEMENTS),
        [typeof(ArgsortOp)] = L("top-k with k = the axis length (ascending or descending), its UINT32 indices cast to int64", DML_OPERATOR_TOP_K1, DML_OPERATOR_CAST),
        [typeof(TopKOp)] = L("top-k along the last axis, decreasing; its UINT32 indices cast to int64 when read", DML_OPERATOR_TOP_K1, DML_OPERATOR_CAST),
        [typeof(IndexAddOp)] = L("no scatter-add (SCATTER replaces): one-hot of the index along a new axis, multiply by src broadcast, reduce SUM over the source axis",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_ONE_HOT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE),
        [typeof(ScatterAddOp)] = L("no scatter-add: one-hot of the positions along a new axis, multiply by src broadcast, reduce SUM over the source axis",
            DML_OPERATOR_FILL_VALUE_SEQUENCE, DML_OPERATOR_ONE_HOT, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_REDUCE),
    };

    /// <summary>The plan as a Markdown table (docs/directml.md holds this table; a test keeps them equal).</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string>
        {
            "| IR op | DirectML operators (at 3_0) | from a later level | how |",
            "|---|---|---|---|",
        };
        foreach (var (type, l) in ByOp.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
        {
            string ops = l.Operators.Length == 0 ? "—" : string.Join(", ", l.Operators.Distinct().Select(Short));
            string upgrade = l.Upgrade is { } u ? $"{Short(u)} ({Level(l.UpgradeLevel!.Value)})" : "";
            lines.Add($"| `{type.Name[..^2]}` | {ops} | {upgrade} | {l.How} |");
        }
        return string.Join("\n", lines) + "\n";
    }

    static string Short(DML_OPERATOR_TYPE op) => op.ToString()["DML_OPERATOR_".Length..];
    static string Level(DML_FEATURE_LEVEL level) => level.ToString()["DML_FEATURE_LEVEL_".Length..];
}
