using System.Collections.Immutable;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RoslynDriver = Microsoft.CodeAnalysis.GeneratorDriver;

namespace Dsl.Tests.Generator;

/// <summary>
/// The generator's pipeline caches: edits that cannot change a model (another file, a comment's text)
/// leave the <see cref="ModelGenerator.Steps.Models"/> outputs Cached/Unchanged and regenerate no
/// source; an edit of a [Forward] body marks exactly that model Modified.
/// </summary>
public class IncrementalityTests
{
    const string Unrelated = """
        namespace Other;

        public static class Util
        {
            public static int Twice(int x) => 2 * x;
        }
        """;

    const string SourceOutput = "SourceOutput";   // WellKnownGeneratorOutputs.SourceOutput

    /// <summary>A compilation of the MLP seed (two models: Dense and Mlp) and an unrelated file, and a driver that has run once.</summary>
    static (RoslynDriver Driver, Compilation Compilation) FirstRun()
    {
        var compilation = GeneratorDriver.Compile(ModelSources.Mlp, Unrelated);
        var driver = GeneratorDriver.NewDriver()
            .WithUpdatedParseOptions(compilation.SyntaxTrees.First().Options)
            .RunGenerators(compilation);
        var run = driver.GetRunResult().Results.ShouldHaveSingleItem();
        run.Exception.ShouldBeNull();
        run.Diagnostics.ShouldBeEmpty();
        GeneratorDriver.ModelFiles(run).Length.ShouldBe(2);
        ModelOutputs(run).ShouldAllBe(o => o.Reason == IncrementalStepRunReason.New);
        return (driver, compilation);
    }

    static GeneratorRunResult Rerun(RoslynDriver driver, Compilation compilation)
    {
        var run = driver.RunGenerators(compilation).GetRunResult().Results.ShouldHaveSingleItem();
        run.Exception.ShouldBeNull();
        return run;
    }

    static Compilation Edit(Compilation compilation, int file, Func<string, string> edit)
    {
        var tree = compilation.SyntaxTrees.ElementAt(file);
        var text = tree.GetText().ToString();
        var edited = edit(text);
        edited.ShouldNotBe(text, "the edit must change the file");
        return compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(Microsoft.CodeAnalysis.Text.SourceText.From(edited)));
    }

    static List<(object Value, IncrementalStepRunReason Reason)> ModelOutputs(GeneratorRunResult run) =>
        run.TrackedSteps[ModelGenerator.Steps.Models].SelectMany(s => s.Outputs).ToList();

    static List<IncrementalStepRunReason> SourceOutputs(GeneratorRunResult run) =>
        run.TrackedOutputSteps.TryGetValue(SourceOutput, out var steps) ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToList() : [];

    static string Reasons(GeneratorRunResult run) =>
        string.Join(", ", run.TrackedSteps.Where(kv => kv.Key is ModelGenerator.Steps.Parse or ModelGenerator.Steps.Models or ModelGenerator.Steps.Diagnostics).OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: [{string.Join(" ", kv.Value.SelectMany(s => s.Outputs).Select(o => o.Reason))}]"))
        + $"; outputs: [{string.Join(" ", SourceOutputs(run))}]";

    static void AssertNothingRegenerated(GeneratorRunResult run, GeneratorRunResult before)
    {
        var models = ModelOutputs(run);
        models.Count.ShouldBe(2, Reasons(run));
        models.ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged, Reasons(run));
        SourceOutputs(run).ShouldNotBeEmpty(Reasons(run));
        SourceOutputs(run).ShouldAllBe(r => r == IncrementalStepRunReason.Cached, Reasons(run));
        Texts(run).ShouldBe(Texts(before));
    }

    static ImmutableArray<string> Texts(GeneratorRunResult run) =>
        [.. run.GeneratedSources.OrderBy(s => s.HintName, StringComparer.Ordinal).Select(s => s.HintName + "\n" + s.SourceText)];

    [Fact]
    public void Rerun_on_the_same_compilation_is_cached()
    {
        var (driver, compilation) = FirstRun();
        var before = driver.GetRunResult().Results[0];
        var run = Rerun(driver, compilation);
        ModelOutputs(run).ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached, Reasons(run));
        AssertNothingRegenerated(run, before);
    }

    [Fact]
    public void Editing_an_unrelated_file_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();
        var before = driver.GetRunResult().Results[0];
        var edited = Edit(compilation, 1, t => t.Replace("2 * x", "x + x"));
        AssertNothingRegenerated(Rerun(driver, edited), before);
    }

    [Fact]
    public void Adding_an_unrelated_file_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();
        var before = driver.GetRunResult().Results[0];
        var added = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText(
            "namespace Other; public sealed class Extra { public int Value { get; set; } }",
            (CSharpParseOptions)compilation.SyntaxTrees.First().Options, path: "Extra.cs"));
        AssertNothingRegenerated(Rerun(driver, added), before);
    }

    [Fact]
    public void Comment_only_edit_in_the_model_file_regenerates_nothing()
    {
        var (driver, compilation) = FirstRun();
        var before = driver.GetRunResult().Results[0];
        // Same number of lines: the line numbers the generated code quotes stay valid.
        var edited = Edit(compilation, 0, t => t.Replace("// project to the hidden width", "// first layer: features -> width, then ReLU"));
        var run = Rerun(driver, edited);
        run.TrackedSteps[ModelGenerator.Steps.Parse].SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Unchanged || o.Reason == IncrementalStepRunReason.Cached, Reasons(run));
        AssertNothingRegenerated(run, before);
    }

    [Fact]
    public void Editing_a_forward_body_modifies_only_that_model()
    {
        var (driver, compilation) = FirstRun();
        var before = driver.GetRunResult().Results[0];
        var edited = Edit(compilation, 0, t => t.Replace("h = h * 0.5;", "h = h * 0.25;"));
        var run = Rerun(driver, edited);

        var models = ModelOutputs(run);
        models.Count.ShouldBe(2, Reasons(run));
        var modified = models.Where(o => o.Reason == IncrementalStepRunReason.Modified).ToList();
        modified.Count.ShouldBe(1, Reasons(run));
        modified[0].Value.ToString()!.ShouldContain("Name = Mlp,");
        models.Except(modified).ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged, Reasons(run));

        SourceOutputs(run).Count(r => r == IncrementalStepRunReason.Modified || r == IncrementalStepRunReason.New).ShouldBe(1, Reasons(run));
        var changed = Texts(run).Except(Texts(before)).ShouldHaveSingleItem();
        changed.ShouldStartWith("Fuzz.Mlp.Mlp.g.cs");
        changed.ShouldContain("h * 0.25");
    }

    [Fact]
    public void Diagnostics_follow_an_edit_and_stay_cached_otherwise()
    {
        var broken = ModelSources.Mlp.Replace("h = h * 0.5;", "while (residual) { }");
        var compilation = GeneratorDriver.Compile(broken, Unrelated);
        var driver = GeneratorDriver.NewDriver().WithUpdatedParseOptions(compilation.SyntaxTrees.First().Options).RunGenerators(compilation);
        var first = driver.GetRunResult();
        first.Diagnostics.ShouldHaveSingleItem().Id.ShouldBe("DSL0003");
        GeneratorDriver.ModelFiles(first.Results[0]).Length.ShouldBe(1);   // Dense only

        // Unrelated edit: the diagnostic is reported again, from cache.
        var run = Rerun(driver, Edit(compilation, 1, t => t.Replace("2 * x", "x + x")));
        run.Diagnostics.ShouldHaveSingleItem().Id.ShouldBe("DSL0003");
        run.TrackedSteps[ModelGenerator.Steps.Diagnostics].SelectMany(s => s.Outputs)
            .ShouldAllBe(o => o.Reason == IncrementalStepRunReason.Cached || o.Reason == IncrementalStepRunReason.Unchanged, Reasons(run));

        // Fixing the body: the diagnostic goes, Mlp is generated.
        var fixedRun = Rerun(driver, Edit(compilation, 0, t => t.Replace("while (residual) { }", "h = h * 0.5;")));
        fixedRun.Diagnostics.ShouldBeEmpty();
        GeneratorDriver.ModelFiles(fixedRun).Length.ShouldBe(2);
    }
}
