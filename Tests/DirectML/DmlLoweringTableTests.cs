using System.Runtime.CompilerServices;
using Dsl.Backend.DirectML;
using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_FEATURE_LEVEL;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>The DirectML lowering table covers the whole IR catalogue at the minimum feature level, and the docs show it.</summary>
public class DmlLoweringTableTests
{
    static readonly Type[] Catalogue = typeof(Op).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Op)) && !t.IsAbstract).OrderBy(t => t.Name).ToArray();

    [Fact]
    public void Every_catalogue_op_has_a_rule_and_nothing_else_does()
    {
        Catalogue.Where(t => !DmlLoweringTable.ByOp.ContainsKey(t)).Select(t => t.Name).ShouldBeEmpty("ops without a DirectML rule");
        DmlLoweringTable.ByOp.Keys.Where(t => !Catalogue.Contains(t)).Select(t => t.Name).ShouldBeEmpty("rules for ops not in the catalogue");
    }

    [Fact]
    public void Every_plan_runs_at_the_minimum_feature_level_and_upgrades_lie_above_it()
    {
        foreach (var (op, rule) in DmlLoweringTable.ByOp)
        {
            var plan = rule.Plan;
            ((int)plan.RequiredLevel).ShouldBeLessThanOrEqualTo((int)DirectMLAvailability.MinimumLevel, $"{op.Name} needs {plan.RequiredLevel}");
            if (plan.UpgradeLevel is { } level)
                ((int)level).ShouldBeGreaterThan((int)DirectMLAvailability.MinimumLevel, $"{op.Name}'s upgrade is usable at the minimum level: make it the plan");
        }
    }

    [Theory]
    // DIRECTML-FACTS.md and DirectML.h's DML_TARGET_VERSION blocks (microsoft/DirectX-Headers at 443ff511).
    [InlineData((int)DML_OPERATOR_GEMM, (int)DML_FEATURE_LEVEL_1_0)]
    [InlineData((int)DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION, (int)DML_FEATURE_LEVEL_1_0)]
    [InlineData((int)DML_OPERATOR_ELEMENT_WISE_ERF, (int)DML_FEATURE_LEVEL_2_0)]
    [InlineData((int)DML_OPERATOR_GATHER_ELEMENTS, (int)DML_FEATURE_LEVEL_2_1)]
    [InlineData((int)DML_OPERATOR_TOP_K1, (int)DML_FEATURE_LEVEL_2_1)]
    [InlineData((int)DML_OPERATOR_MEAN_VARIANCE_NORMALIZATION1, (int)DML_FEATURE_LEVEL_2_1)]
    [InlineData((int)DML_OPERATOR_ACTIVATION_RELU_GRAD, (int)DML_FEATURE_LEVEL_3_0)]
    [InlineData((int)DML_OPERATOR_RANDOM_GENERATOR, (int)DML_FEATURE_LEVEL_3_0)]
    [InlineData((int)DML_OPERATOR_ADAM_OPTIMIZER, (int)DML_FEATURE_LEVEL_3_0)]
    [InlineData((int)DML_OPERATOR_BATCH_NORMALIZATION_GRAD, (int)DML_FEATURE_LEVEL_3_1)]
    [InlineData((int)DML_OPERATOR_BATCH_NORMALIZATION_TRAINING, (int)DML_FEATURE_LEVEL_4_1)]
    [InlineData((int)DML_OPERATOR_ELEMENT_WISE_NEGATE, (int)DML_FEATURE_LEVEL_5_0)]
    [InlineData((int)DML_OPERATOR_ACTIVATION_GELU, (int)DML_FEATURE_LEVEL_5_1)]
    [InlineData((int)DML_OPERATOR_ACTIVATION_SOFTMAX1, (int)DML_FEATURE_LEVEL_5_1)]
    [InlineData((int)DML_OPERATOR_MULTIHEAD_ATTENTION, (int)DML_FEATURE_LEVEL_6_1)]
    public void Operators_are_dated_by_their_header_block(int op, int level) =>
        DmlOperatorLevels.IntroducedAt((DML_OPERATOR_TYPE)op).ShouldBe((DML_FEATURE_LEVEL)level);

    [Fact]
    public void Docs_show_the_table_as_it_is()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "directml.md")).ReplaceLineEndings("\n");
        string table = DmlLoweringTable.MarkdownTable(), received = Path.Combine(RepositoryRoot(), "Tests", "DirectML", "DmlLoweringTableTests.table.received.md");
        if (docs.Contains(table, StringComparison.Ordinal))
        {
            File.Delete(received);
            return;
        }
        File.WriteAllText(received, table);
        throw new Xunit.Sdk.XunitException($"docs/directml.md's op table is stale: replace it with {received}.");
    }

    static string RepositoryRoot([CallerFilePath] string file = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", ".."));
}
