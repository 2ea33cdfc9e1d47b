using System.Linq;
using Dsl.Generator.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>
/// Writes, for every [Model] partial class, its parameter registry, a taping Forward and a
/// reverse-mode Backward. Pipeline: attribute lookup → equatable model → diagnostics → emit.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class ModelGenerator : IIncrementalGenerator
{
    /// <summary>Tracking names, for incrementality tests.</summary>
    public static class Steps
    {
        public const string Parse = nameof(Parse);
        public const string Models = nameof(Models);
        public const string Diagnostics = nameof(Diagnostics);
    }

    /// <summary>The one file per compilation that imports <c>Dsl.ModelHelpers</c> (<c>Param</c>, <c>BufferOf</c>, <c>UpdateBuffer</c>) for model code.</summary>
    public const string HelpersFileName = "Dsl.ModelHelpers.g.cs";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        context.RegisterPostInitializationOutput(static ctx => ctx.AddSource(HelpersFileName, HelpersImport));

        var parsed = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                "Dsl.ModelAttribute",
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                static (ctx, token) => Parse(ctx, token))
            .WithTrackingName(Steps.Parse);

        var diagnostics = parsed.Select(static (r, _) => r.Diagnostics).WithTrackingName(Steps.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var d in list) spc.ReportDiagnostic(d.ToDiagnostic());
        });

        var models = parsed.Select(static (r, _) => r.Model).Where(static m => m is not null).WithTrackingName(Steps.Models);
        context.RegisterSourceOutput(models, static (spc, model) =>
        {
            spc.CancellationToken.ThrowIfCancellationRequested();
            try
            {
                spc.AddSource(model!.FileHint + ".g.cs", Emit(model));
            }
            catch (System.ArgumentException) when (model is not null)
            {
                // Two types with one name (the compiler reports CS0101): generate the first only.
            }
        });
    }
}
