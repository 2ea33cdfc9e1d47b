using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Dsl.Generator;
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

    static readonly string[] ModelNames = ["Linear", "LayerNorm", "Mlp", "AttentionBlock", "BlockStack", "SharedEncoder", "TwoHeads", "UsesCustomOp", "BatchNorm1d", "RepeatedRead"];

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
        Generated.Value["Mlp"].ShouldContain("// line 57: fc2.Forward(Ops.Gelu(fc1.Forward(x)))");
    }

    [Fact]
    public void Param_BufferOf_and_UpdateBuffer_are_imported_once_not_declared_in_each_model()
    {
        var run = GeneratorDriver.NewDriver().RunGenerators(GeneratorDriver.Compile(ModelsSource(), GlobalUsings)).GetRunResult().Results[0];
        run.GeneratedSources.Where(s => s.HintName == ModelGenerator.HelpersFileName).ShouldHaveSingleItem()
            .SourceText.ToString().ShouldContain("global using static global::Dsl.ModelHelpers;");
        Generated.Value.Values.ShouldAllBe(code => !Regex.IsMatch(code, @"static [\w:.]+ (Param|BufferOf|UpdateBuffer)\("));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void The_tape_records_exactly_the_values_the_backward_reads(string model)
    {
        // One section per method: its tape class, then its Forward, then its Backward.
        foreach (var method in Generated.Value[model].Split("/// <summary>What the backward pass reads").Skip(1))
        {
            int forward = Regex.Match(method, @"/// <summary>\w+ \(line \d+\), recording on").Index;
            int backward = method.IndexOf("/// <summary>Reverse-mode gradient", StringComparison.Ordinal);
            var fields = Regex.Matches(method[..forward], @"public global::Dsl\.Tensor (\w+) = null!;").Select(m => m.Groups[1].Value).ToHashSet();
            var recorded = Regex.Matches(method[forward..backward], @"\b(?:tape|it\d+)\.([st]\d+) =").Select(m => m.Groups[1].Value).ToHashSet();
            var read = Regex.Matches(method[backward..], @"\b(?:tape|it\d+)\.([st]\d+)\b").Select(m => m.Groups[1].Value).ToHashSet();
            read.ShouldNotBeEmpty();
            fields.Order().ShouldBe(read.Order());
            recorded.Order().ShouldBe(read.Order());
        }
    }

    [Fact]
    public void A_gradient_that_is_certainly_null_is_neither_added_nor_consumed()
    {
        var code = Generated.Value["AttentionBlock"];
        code.ShouldContain("d_t20 = d_out;");            // first contribution: assigned
        code.ShouldNotContain("Vjp.Add(d_t20, dv_x)");   // x = x + mlp(...): x's gradient is null there
        Regex.IsMatch(code, @"^\s*dv_x = null;", RegexOptions.Multiline).ShouldBeFalse();   // so it is not used up either
        code.ShouldContain("d_t3 = global::Dsl.Vjp.Add(d_t3, g_t6[0]);");   // h feeds q, k and v: added
    }

    [Fact]
    public void Gradients_carried_across_loop_iterations_are_still_added()
    {
        var code = Generated.Value["RepeatedRead"];
        code.ShouldContain("dv_x = global::Dsl.Vjp.Add(dv_x, ");   // x is read in every iteration
        code.ShouldContain("d_s1 = global::Dsl.Vjp.Add(d_s1, g_t2[1]);");   // h's value is read twice per iteration
    }
}
