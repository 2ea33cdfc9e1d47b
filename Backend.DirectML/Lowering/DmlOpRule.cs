using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// The DirectML operators an op uses at the backend's minimum feature level (none: a view or a
/// bound buffer, no dispatch), and optionally the single operator its lowering switches to on
/// devices of a later level.
/// </summary>
/// <param name="Operators">Operators used at <see cref="DirectMLAvailability.MinimumLevel"/>.</param>
/// <param name="How">One line: the lowering, for docs and error messages.</param>
/// <param name="Upgrade">The operator that replaces them from <see cref="UpgradeLevel"/> on.</param>
internal sealed record DmlPlan(DML_OPERATOR_TYPE[] Operators, string How, DML_OPERATOR_TYPE? Upgrade = null)
{
    /// <summary>The feature level of <see cref="Upgrade"/>.</summary>
    public DML_FEATURE_LEVEL? UpgradeLevel => Upgrade is { } u ? DmlOperatorLevels.IntroducedAt(u) : null;

    /// <summary>The highest level any of <see cref="Operators"/> needs (1_0 for none).</summary>
    public DML_FEATURE_LEVEL RequiredLevel => Operators.Length == 0 ? DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_1_0 : Operators.Max(DmlOperatorLevels.IntroducedAt);
}

/// <summary>What a lowering may ask beyond the node: the arena, the device's level, which of the original node's outputs something reads.</summary>
/// <param name="Arena">Where the descriptions are allocated.</param>
/// <param name="FeatureLevel">The device's level (later single operators where it allows).</param>
/// <param name="Node">The graph's node (a lowering receives it, or a rank ≤ 4 view of it from the rank policy).</param>
/// <param name="Read">The values something reads: outputs outside it need not be computed.</param>
internal sealed record DmlLowerContext(DmlNativeArena Arena, DML_FEATURE_LEVEL FeatureLevel, Node Node, IReadOnlySet<Tensor> Read)
{
    /// <summary>Whether something reads output <paramref name="index"/> of <see cref="Node"/>.</summary>
    public bool IsRead(int index) => Read.Contains(Node.Outputs[index]);

    /// <summary>Whether the device's level has <paramref name="op"/> (a plan's upgrade).</summary>
    public bool Has(DML_OPERATOR_TYPE op) => FeatureLevel >= DmlOperatorLevels.IntroducedAt(op);
}

/// <summary>One node (or a rank ≤ 4 view of it) as DirectML operators, its tensors described in the context's arena.</summary>
internal delegate DmlLowering DmlLower(DmlLowerContext context, Node node);

/// <summary>A lowering that is a chain: the first operator reads the node's inputs in order, each later one the previous one's output 0.</summary>
internal unsafe delegate DML_OPERATOR_DESC*[] DmlChain(DmlNativeArena arena, Node node);

/// <summary>Where an op's tensors may be int64 (DirectML takes INT64 on few operators at 3_0; elsewhere a lowering casts).</summary>
/// <param name="Where">The operands, as the refusal message lists them.</param>
/// <param name="Allows">Whether a value of the node may be int64.</param>
internal sealed record DmlInt64(string Where, Func<Node, Tensor, bool> Allows)
{
    /// <summary>Float32 only.</summary>
    public static readonly DmlInt64 None = new("", (_, _) => false);
    /// <summary>Every operand (casts, aliases, layout moves, argsort).</summary>
    public static readonly DmlInt64 Any = new("any operand", (_, _) => true);
    /// <summary>Input 1, the indices.</summary>
    public static readonly DmlInt64 Indices = new("the indices (input 1)", (n, v) => v == n.Inputs[1]);
    /// <summary>Output 1, the indices.</summary>
    public static readonly DmlInt64 IndicesOutput = new("the indices (output 1)", (n, v) => v == n.Outputs[1]);
    /// <summary>Output 0, an index.</summary>
    public static readonly DmlInt64 IndexOutput = new("the index (output 0)", (n, v) => v == n.Outputs[0]);
    /// <summary>Input 0, the i64[2] seed.</summary>
    public static readonly DmlInt64 Seed = new("the seed (input 0)", (n, v) => v == n.Inputs[0]);
}

/// <summary>
/// Everything about one op's DirectML lowering, side by side: its <see cref="Plan"/> (operators,
/// feature levels, the line the docs show), its <see cref="Layout"/> (the rank policy: how a
/// node of rank above 4 is brought to DirectML's dimensions), its <see cref="Lower"/>ing, where
/// it takes int64, and any further refusal.
/// </summary>
internal sealed record DmlOpRule(DmlPlan Plan, DmlLayout Layout, DmlLower Lower)
{
    /// <summary>Where the op takes int64 tensors (float32 only by default).</summary>
    public DmlInt64 Int64 { get; init; } = DmlInt64.None;

    /// <summary>Refuses nodes the lowering cannot express (after the dtype and rank checks), with a message naming the problem.</summary>
    public Action<Node>? Refuse { get; init; }
}
