using Dsl.Backend.Torch.Lowering;
using Dsl.Operators;

namespace Dsl.Tests.Gradients;

/// <summary>The catalogue is complete: every op has a gradient case and a Torch lowering.</summary>
public class CatalogueCoverageTests
{
    static readonly Type[] Catalogue = typeof(Op).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Op)) && !t.IsAbstract).OrderBy(t => t.Name).ToArray();

    [Fact]
    public void Catalogue_lists_the_ops_the_models_need()
    {
        Catalogue.Length.ShouldBeGreaterThanOrEqualTo(50);
        Catalogue.ShouldContain(typeof(MatMulOp));
        Catalogue.ShouldContain(typeof(Conv2dOp));
        Catalogue.ShouldContain(typeof(ArgsortOp));
    }

    [Fact]
    public void Every_op_is_exercised_by_a_gradient_case()
    {
        var covered = GradientCases.All.Values
            .SelectMany(c => { var b = c.Build(); return b.Graph.Nodes.Where(n => n.Index <= b.Output.Producer!.Index); })
            .Select(n => n.Op.GetType()).ToHashSet();
        var missing = Catalogue.Where(t => !covered.Contains(t)).Select(t => t.Name).ToArray();
        missing.ShouldBeEmpty($"ops with no gradient case: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_op_has_a_torch_lowering()
    {
        var missing = Catalogue.Where(t => !KernelTable.Supported.Contains(t)).Select(t => t.Name).ToArray();
        missing.ShouldBeEmpty($"ops without a Backend.Torch kernel: {string.Join(", ", missing)}");
    }
}
