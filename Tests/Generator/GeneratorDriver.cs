using System.Collections.Immutable;
using Dsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Tests.Generator;

/// <summary>Runs <see cref="ModelGenerator"/> in-process over source text, for snapshot, diagnostic and incrementality tests.</summary>
public static class GeneratorDriver
{
    static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted.Where(p => Path.GetFileName(p).StartsWith("System.") || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Dsl.Tensor).Assembly.Location))
            .ToImmutableArray();
    });

    static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>A compilation of the given sources against the BCL and Dsl.</summary>
    public static CSharpCompilation Compile(params string[] sources) => CSharpCompilation.Create(
        "UserModels",
        sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Model{i}.cs")),
        References.Value,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    /// <summary>A driver that tracks incremental steps.</summary>
    public static CSharpGeneratorDriver NewDriver() => CSharpGeneratorDriver.Create(
        [new ModelGenerator().AsSourceGenerator()],
        parseOptions: ParseOptions,
        driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Generated model files (not the one shared helpers import), generator diagnostics and the compiler's diagnostics of the result.</summary>
    public static (ImmutableArray<GeneratedSourceResult> Sources, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompileDiagnostics) Run(params string[] sources)
    {
        var compilation = Compile(sources);
        var driver = NewDriver().RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        var compile = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (ModelFiles(result.Results[0]), result.Diagnostics, compile);
    }

    /// <summary>The files generated per model class: every generated file but <see cref="ModelGenerator.HelpersFileName"/>.</summary>
    public static ImmutableArray<GeneratedSourceResult> ModelFiles(GeneratorRunResult run) =>
        [.. run.GeneratedSources.Where(s => s.HintName != ModelGenerator.HelpersFileName)];
}
