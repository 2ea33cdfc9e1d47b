using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// The DirectML lowering of every op, one file per op family (<c>Lowering/Elementwise.cs</c> …),
/// as <c>KernelTable</c> is for Backend.Torch: each row holds the op's plan (operators, feature
/// levels), its rank policy and its lowering side by side (<see cref="DmlOpRule"/>). The graph
/// builder, the docs' op table (<see cref="MarkdownTable"/>) and the catalogue coverage test all
/// read this one table. Looked up by the op's record type.
/// </summary>
internal static unsafe partial class DmlLoweringTable
{
    /// <summary>Every op's rule, by IR op type.</summary>
    public static IReadOnlyDictionary<Type, DmlOpRule> ByOp { get; } = Build();

    static Dictionary<Type, DmlOpRule> Build()
    {
        var t = new Dictionary<Type, DmlOpRule>();
        RegisterElementwise(t);
        RegisterReductions(t);
        RegisterLayout(t);
        RegisterLinearAlgebra(t);
        RegisterNormalization(t);
        RegisterBackward(t);
        RegisterConvolution(t);
        RegisterIndexing(t);
        RegisterCreation(t);
        return t;
    }

    static void Add<TOp>(Dictionary<Type, DmlOpRule> t, DmlOpRule rule) where TOp : Op => t.Add(typeof(TOp), rule);

    static DmlPlan Plan(string how, params DML_OPERATOR_TYPE[] operators) => new(operators, how);

    static DmlPlan Upgradable(string how, DML_OPERATOR_TYPE upgrade, params DML_OPERATOR_TYPE[] operators) => new(operators, how, upgrade);

    /// <summary>A lowering that is a chain of operators (<see cref="DmlLowering.Chain"/>).</summary>
    static DmlLower Chain(DmlChain chain) => (c, node) =>
    {
        var descs = chain(c.Arena, node);
        var list = new nint[descs.Length];
        for (var i = 0; i < descs.Length; i++)
            list[i] = (nint)descs[i];
        return DmlLowering.Chain(list, node.Inputs.Count, node.Outputs.Count);
    };

    /// <summary>The rule of <paramref name="op"/>, if the table has one; a user's <see cref="DecomposableOp"/> (declared outside Dsl) lowers as its decomposition.</summary>
    public static DmlOpRule? For(Op op) => ByOp.GetValueOrDefault(op.GetType())
        ?? (op is DecomposableOp && op.GetType().Assembly != typeof(Op).Assembly ? Decomposed(Plan("a user op: its decomposition, each op lowered as its own rule says")) : null);

    /// <summary>Ops that dispatch nothing: the output is the input's buffer (packed, same element order).</summary>
    public static bool IsAlias(Node node) => For(node.Op)?.Layout == DmlLayout.Alias;

    /// <summary>Where int64 is lowered, for the refusal message: each operand kind with its ops.</summary>
    public static string Int64Rule { get; } = "int64 is lowered as " + string.Join("; ", ByOp
        .Where(kv => kv.Value.Int64 != DmlInt64.None)
        .GroupBy(kv => kv.Value.Int64.Where, kv => OpName(kv.Key))
        .Select(g => $"{g.Key} of {string.Join(", ", g.Order(StringComparer.Ordinal))}"));

    /// <summary>The table as Markdown (docs/directml.md holds it; a test keeps them equal).</summary>
    public static string MarkdownTable()
    {
        var lines = new List<string>
        {
            "| IR op | DirectML operators (at 3_0) | from a later level | rank > 4 | how |",
            "|---|---|---|---|---|",
        };
        foreach (var (type, rule) in ByOp.OrderBy(kv => kv.Key.Name, StringComparer.Ordinal))
        {
            var l = rule.Plan;
            string ops = l.Operators.Length == 0 ? "—" : string.Join(", ", l.Operators.Distinct().Select(Short));
            string upgrade = l.Upgrade is { } u ? $"{Short(u)} ({Level(l.UpgradeLevel!.Value)})" : "";
            lines.Add($"| `{type.Name[..^2]}` | {ops} | {upgrade} | {rule.Layout.Name} | {l.How} |");
        }
        return string.Join("\n", lines) + "\n";
    }

    static string OpName(Type op) => op.Name[..^2];
    static string Short(DML_OPERATOR_TYPE op) => op.ToString()["DML_OPERATOR_".Length..];
    static string Level(DML_FEATURE_LEVEL level) => level.ToString()["DML_FEATURE_LEVEL_".Length..];
}
