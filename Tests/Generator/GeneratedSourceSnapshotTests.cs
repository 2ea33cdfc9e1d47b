using System.Runtime.CompilerServices;
using Dsl.Tests.Support;

namespace Dsl.Tests.Generator;

/// <summary>
/// Whole-file snapshots of the generated code for the test models (<c>*.verified.cs</c>), plus fast
/// inline checks of single members.
/// </summary>
public class GeneratedSourceSnapshotTests
{
    const string GlobalUsings = "global using System; global using System.Linq; global using System.Collections.Generic;";

    static string ModelsSource([CallerFilePath] string file = "") =>
        File.ReadAllText(Path.Combine(Path.GetDirectoryName(file)!, "Models", "TestModels.cs"));

    static readonly Lazy<Dictionary<string, string>> Generated = new(() =>
    {
        var (sources, diagnostics, compile) = GeneratorDriver.Run(ModelsSource(), GlobalUsings);
        diagnostics.ShouldBeEmpty();
        compile.ShouldBeEmpty();
        return sources.ToDictionary(s => s.HintName.Replace("Dsl.Tests.Generator.Models.", "").Replace(".g.cs", ""), s => s.SourceText.ToString());
    });

    static readonly string[] ModelNames = ["Linear", "LayerNorm", "Mlp", "AttentionBlock", "BlockStack", "SharedEncoder", "TwoHeads", "UsesCustomOp", "BatchNorm1d"];

    public static TheoryData<string> Models => new(ModelNames);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generated_source_matches_snapshot(string model) =>
        Snapshot.Verify(Generated.Value[model], name: model, extension: "cs");

    [Fact]
    public void Every_model_class_gets_a_generated_file()
    {
        Generated.Value.Keys.Order().ShouldBe(ModelNames.Order());
    }

    [Fact]
    public void Linear_backward_accumulates_both_parameters_and_returns_the_input_gradient()
    {
        var code = Generated.Value["Linear"];
        code.ShouldContain("grads.Accumulate(weight, g_t0[1]);");
        code.ShouldContain("grads.Accumulate(bias, g_t1[1]);");
        code.ShouldContain("return dv_x;");
    }

    [Fact]
    public void Shared_module_called_twice_records_two_tapes()
    {
        var code = Generated.Value["SharedEncoder"];
        code.ShouldContain("encoder.Forward(s0, out tape.m0)");
        code.ShouldContain("encoder.Forward(s1, out tape.m1)");
        code.ShouldContain("encoder.Backward(tape.m0,");
        code.ShouldContain("encoder.Backward(tape.m1,");
    }

    [Fact]
    public void Loops_are_replayed_in_reverse_over_recorded_iterations()
    {
        var code = Generated.Value["BlockStack"];
        code.ShouldContain("for (int k0 = tape.loop0.Count - 1; k0 >= 0; k0--)");
        code.ShouldContain("if (it0.b0)");
    }

    [Fact]
    public void Generated_code_names_the_source_line_of_each_statement()
    {
        Generated.Value["Mlp"].ShouldContain("// line 56: fc2.Forward(Ops.Gelu(fc1.Forward(x)))");
    }
}
