using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    internal const string TensorType = "Dsl.Tensor";
    const string ModelAttr = "Dsl.ModelAttribute";
    const string ModuleAttr = "Dsl.ModuleAttribute";
    const string ParameterAttr = "Dsl.ParameterAttribute";
    const string BufferAttr = "Dsl.BufferAttribute";
    const string ForwardAttr = "Dsl.ForwardAttribute";
    const string DifferentiableAttr = "Dsl.DifferentiableAttribute";
    const string NonDifferentiableAttr = "Dsl.NonDifferentiableAttribute";

    /// <summary>Turns a [Model] class into an equatable model plus diagnostics; never throws.</summary>
    static ParseResult Parse(GeneratorAttributeSyntaxContext ctx, CancellationToken token)
    {
        var cls = (ClassDeclarationSyntax)ctx.TargetNode;
        var symbol = (INamedTypeSymbol)ctx.TargetSymbol;
        var diagnostics = new List<DiagnosticInfo>();
        // [Model] on several parts of one partial class: only the first part generates (the compiler reports the duplicate attribute).
        var first = symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == ModelAttr)?.ApplicationSyntaxReference;
        if (first is not null && first.GetSyntax(token).FirstAncestorOrSelf<ClassDeclarationSyntax>() != cls)
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        try
        {
            var model = ParseModel(cls, symbol, ctx.SemanticModel, diagnostics, token);
            bool hasErrors = diagnostics.Count > 0;
            return new ParseResult(hasErrors ? null : model, diagnostics.ToEquatableArray());
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e)
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.InternalError, cls.Identifier.GetLocation(), symbol.Name, e.GetType().Name + ": " + e.Message));
            return new ParseResult(null, diagnostics.ToEquatableArray());
        }
    }

    static DiagnosticInfo Diag(DiagnosticDescriptor d, Location? location, params string[] args) =>
        new(d.Id, LocationInfo.From(location), args.ToEquatableArray());

    static ModelInfo? ParseModel(ClassDeclarationSyntax cls, INamedTypeSymbol symbol, SemanticModel semantic, List<DiagnosticInfo> diagnostics, CancellationToken token)
    {
        if (!cls.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.NotPartial, cls.Identifier.GetLocation(), symbol.Name));
            return null;
        }
        if (symbol.ContainingType is not null || symbol.IsGenericType)
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.NestedModel, cls.Identifier.GetLocation(), symbol.Name));
            return null;
        }

        var fields = ParseFields(symbol, diagnostics, token);
        token.ThrowIfCancellationRequested();

        var methods = symbol.GetMembers().OfType<IMethodSymbol>().ToArray();
        var forwards = methods.Where(m => HasAttribute(m, ForwardAttr)).ToArray();
        if (forwards.Length == 0)
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.NoForward, cls.Identifier.GetLocation(), symbol.Name));
            return null;
        }
        if (forwards.Length > 1)
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.MultipleForwards, forwards[1].Locations.FirstOrDefault(), symbol.Name));
            return null;
        }
        var helperSymbols = methods.Where(m => HasAttribute(m, DifferentiableAttr) && !m.IsStatic).ToArray();

        var forward = LowerMethod(forwards[0], symbol, semantic, helperSymbols, diagnostics, token);
        var helpers = helperSymbols.Select(h => LowerMethod(h, symbol, semantic, helperSymbols, diagnostics, token)).ToArray();
        CheckRecursion(forwards[0], helperSymbols, semantic, diagnostics);
        if (forward is null || helpers.Any(h => h is null)) return null;

        return new ModelInfo(
            symbol.ContainingNamespace.IsGlobalNamespace ? null : symbol.ContainingNamespace.ToDisplayString(),
            symbol.Name,
            SyntaxFacts.GetText(symbol.DeclaredAccessibility),
            fields.ToEquatableArray(),
            forward,
            helpers.Select(h => h!).ToEquatableArray(),
            symbol.DeclaringSyntaxReferences
                .SelectMany(r => r.SyntaxTree.GetCompilationUnitRoot(token).Usings)
                .Where(u => u.GlobalKeyword.IsKind(SyntaxKind.None))
                .Select(u => u.ToString()).Distinct().OrderBy(u => u, StringComparer.Ordinal).ToEquatableArray(),
            symbol.ToDisplayString().Replace('<', '_').Replace('>', '_'),
            symbol.GetMembers("Training").OfType<IPropertySymbol>().Any(p => !p.IsStatic && p.Type.SpecialType == SpecialType.System_Boolean && p.SetMethod is not null));
    }

    static bool HasAttribute(ISymbol s, string name) =>
        s.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == name);

    internal static bool IsTensor(ITypeSymbol? t) => t?.ToDisplayString() is TensorType or TensorType + "?";

    static bool IsModelType(ITypeSymbol? t) => t is INamedTypeSymbol n && HasAttribute(n, ModelAttr);

    /// <summary>The model type of a module field: T, T[] or List&lt;T&gt;/IReadOnlyList&lt;T&gt; of a [Model] T.</summary>
    internal static ITypeSymbol? ModuleElementType(ITypeSymbol t)
    {
        if (t is IArrayTypeSymbol a) return IsModelType(a.ElementType) ? a.ElementType : null;
        if (t is INamedTypeSymbol n && n.IsGenericType && n.TypeArguments.Length == 1 &&
            n.Name is "List" or "IReadOnlyList" or "IList" or "IEnumerable" or "ImmutableArray" && IsModelType(n.TypeArguments[0]))
            return n.TypeArguments[0];
        return null;
    }

    static List<FieldInfo> ParseFields(INamedTypeSymbol symbol, List<DiagnosticInfo> diagnostics, CancellationToken token)
    {
        var fields = new List<FieldInfo>();
        var declared = DeclaredValueFields(symbol, token);
        foreach (var f in symbol.GetMembers().OfType<IFieldSymbol>())
        {
            var location = f.Locations.FirstOrDefault();
            if (HasAttribute(f, ParameterAttr) || HasAttribute(f, BufferAttr))
            {
                bool isParameter = HasAttribute(f, ParameterAttr);
                if (!IsTensor(f.Type))
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.BadFieldType, location, f.Name, isParameter ? "Parameter" : "Buffer", f.Type.ToDisplayString()));
                    continue;
                }
                var attr = f.GetAttributes().First(a => a.AttributeClass?.ToDisplayString() == (isParameter ? ParameterAttr : BufferAttr));
                string init = attr.ConstructorArguments.Length == 1 && attr.ConstructorArguments[0].Value is int v
                    ? InitName(attr.ConstructorArguments[0].Type, v) : "Zeros";
                fields.Add(new FieldInfo(f.Name, Names.ToSnakeCase(f.Name), isParameter ? FieldKind.Parameter : FieldKind.Buffer, init));
            }
            else if (HasAttribute(f, ModuleAttr))
            {
                if (IsModelType(f.Type)) fields.Add(new FieldInfo(f.Name, Names.ToSnakeCase(f.Name), FieldKind.Module, ""));
                else if (ModuleElementType(f.Type) is not null) fields.Add(new FieldInfo(f.Name, Names.ToSnakeCase(f.Name), FieldKind.ModuleList, ""));
                else diagnostics.Add(Diag(DiagnosticDescriptors.ModuleNotModel, location, f.Name, f.Type.ToDisplayString()));
            }
            else if (!f.IsStatic && (IsModelType(f.Type) || ModuleElementType(f.Type) is not null))
                diagnostics.Add(Diag(DiagnosticDescriptors.UnregisteredModule, location, f.Name, f.Type.ToDisplayString()));
            else if (IsTensor(f.Type) && declared.TryGetValue(f.Name, out var declaredBy))
                diagnostics.Add(Diag(DiagnosticDescriptors.UnregisteredParameter, location, f.Name, declaredBy, declaredBy == "Param" ? "Parameter" : "Buffer"));
        }
        return fields;
    }

    /// <summary>
    /// Fields of the class assigned a generated <c>Param(...)</c> or <c>BufferOf(...)</c> call
    /// (<c>w = Param(3)</c>, <c>this.w = BufferOf(3)</c>), with the helper's name.
    /// </summary>
    static Dictionary<string, string> DeclaredValueFields(INamedTypeSymbol symbol, CancellationToken token)
    {
        var result = new Dictionary<string, string>();
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            foreach (var assignment in reference.GetSyntax(token).DescendantNodes().OfType<AssignmentExpressionSyntax>())
            {
                if (assignment.Right is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "Param" or "BufferOf" } helper }) continue;
                var target = assignment.Left switch
                {
                    IdentifierNameSyntax id => id.Identifier.Text,
                    MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax, Name: var name } => name.Identifier.Text,
                    _ => null,
                };
                if (target is not null && !result.ContainsKey(target)) result[target] = helper.Identifier.Text;
            }
        }
        return result;
    }

    static string InitName(ITypeSymbol? enumType, int value) =>
        (enumType as INamedTypeSymbol)?.GetMembers().OfType<IFieldSymbol>()
            .FirstOrDefault(m => m.HasConstantValue && m.ConstantValue is int c && c == value)?.Name ?? "Zeros";

    static MethodInfo? LowerMethod(IMethodSymbol method, INamedTypeSymbol owner, SemanticModel semantic, IMethodSymbol[] helpers, List<DiagnosticInfo> diagnostics, CancellationToken token)
    {
        var implementation = method.PartialImplementationPart ?? method;
        var syntax = implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(token) as MethodDeclarationSyntax;
        var location = method.Locations.FirstOrDefault();
        if (syntax is null || (syntax.Body is null && syntax.ExpressionBody is null))
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.UnsupportedSignature, location, method.Name, "has no body"));
            return null;
        }
        if (semantic.SyntaxTree != syntax.SyntaxTree) semantic = semantic.Compilation.GetSemanticModel(syntax.SyntaxTree);

        int outputs = OutputCount(method.ReturnType);
        if (outputs == 0 || !method.Parameters.Any(p => IsTensor(p.Type)) || method.IsStatic || method.IsGenericMethod
            || method.Parameters.Any(p => p.RefKind != RefKind.None))
        {
            diagnostics.Add(Diag(DiagnosticDescriptors.UnsupportedSignature, location, method.Name,
                method.IsStatic ? "is static" : method.IsGenericMethod ? "is generic" : outputs == 0 ? "does not return a Tensor or a tuple of Tensors" : "takes no Tensor (or has ref/out parameters)"));
            return null;
        }

        var lowerer = new Lowerer(semantic, helpers, diagnostics, token);
        foreach (var p in syntax.ParameterList.Parameters)
            if (IsTensor(semantic.GetDeclaredSymbol(p, token)?.Type)) lowerer.DeclareTensorVariable(p.Identifier.ValueText, p);
        var body = lowerer.LowerBody(syntax);
        if (body is null) return null;

        return new MethodInfo(
            method.Name,
            SyntaxFacts.GetText(method.DeclaredAccessibility),
            method.Parameters.Select(p => new ParamInfo(new Local(p.Name), p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), IsTensor(p.Type))).ToEquatableArray(),
            outputs,
            method.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            lowerer.Locals.ToEquatableArray(),
            body.ToEquatableArray(),
            syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1);
    }

    /// <summary>1 for Tensor, n for a tuple of n Tensors, 0 otherwise.</summary>
    internal static int OutputCount(ITypeSymbol t)
    {
        if (IsTensor(t)) return 1;
        if (t is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.All(e => IsTensor(e.Type))) return tuple.TupleElements.Length;
        return 0;
    }

    /// <summary>Reports a [Forward] or helper that reaches itself through helper calls.</summary>
    static void CheckRecursion(IMethodSymbol forward, IMethodSymbol[] helpers, SemanticModel semantic, List<DiagnosticInfo> diagnostics)
    {
        var all = helpers.Append(forward).Distinct(SymbolEqualityComparer.Default).Cast<IMethodSymbol>().ToArray();
        var calls = all.ToDictionary(m => m, m => CalledMethods(m, semantic), SymbolEqualityComparer.Default);
        foreach (var start in all)
        {
            var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            var stack = new Stack<IMethodSymbol>(calls[start]);
            while (stack.Count > 0)
            {
                var m = stack.Pop();
                if (SymbolEqualityComparer.Default.Equals(m, start))
                {
                    diagnostics.Add(Diag(DiagnosticDescriptors.Recursion, start.Locations.FirstOrDefault(), start.Name));
                    break;
                }
                if (seen.Add(m) && calls.TryGetValue(m, out var next)) foreach (var n in next) stack.Push(n);
            }
        }
    }

    static IMethodSymbol[] CalledMethods(IMethodSymbol method, SemanticModel semantic)
    {
        var syntax = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (syntax is null) return [];
        var model = semantic.SyntaxTree == syntax.SyntaxTree ? semantic : semantic.Compilation.GetSemanticModel(syntax.SyntaxTree);
        return syntax.DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Select(i => model.GetSymbolInfo(i).Symbol as IMethodSymbol)
            .Where(m => m is not null && SymbolEqualityComparer.Default.Equals(m.ContainingType, method.ContainingType))
            .Select(m => m!.OriginalDefinition).ToArray();
    }
}
