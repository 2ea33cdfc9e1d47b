using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator.Diagnostics;

/// <summary>Every diagnostic the generator reports: DSL0001… (one table, each with a fix hint).</summary>
internal static class DiagnosticDescriptors
{
    const string Category = "Dsl.Model";

    static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotPartial = Error("DSL0001",
        "Model class must be partial",
        "[Model] class '{0}' must be declared 'partial' so the generator can add its Forward/Backward code; add the 'partial' modifier");

    public static readonly DiagnosticDescriptor NoForward = Error("DSL0002",
        "Model has no [Forward] method",
        "[Model] class '{0}' has no [Forward] method; mark the method that computes the output with [Forward]");

    public static readonly DiagnosticDescriptor UnsupportedStatement = Error("DSL0003",
        "Statement not supported in a forward body",
        "'{0}' statements are not supported in [Forward] code; use straight-line code, for/foreach loops and if/else on non-tensor values");

    public static readonly DiagnosticDescriptor TensorFieldAssigned = Error("DSL0004",
        "Tensor field assigned in forward",
        "[Forward] code assigns the tensor field '{0}'; parameters and buffers are set in the constructor, use a local variable instead");

    public static readonly DiagnosticDescriptor ModuleNotModel = Error("DSL0005",
        "Submodule type is not a model",
        "[Module] field '{0}' has type '{1}', which is not a [Model] class (or an array/List of one); mark that class with [Model]");

    public static readonly DiagnosticDescriptor Recursion = Error("DSL0006",
        "Recursive forward call",
        "'{0}' calls itself (directly or through helpers); recursion cannot be unrolled into a static graph, use a loop over modules");

    public static readonly DiagnosticDescriptor NoVjpRule = Error("DSL0007",
        "Call without a VJP rule on a differentiable path",
        "'{0}' returns a Tensor but has no VJP rule: mark it [Differentiable] (its ops' rules apply) or [NonDifferentiable], or call it through a [Model]'s [Forward]");

    public static readonly DiagnosticDescriptor UnsupportedExpression = Error("DSL0008",
        "Expression not supported in a forward body",
        "{0} is not supported in [Forward] code; write it as separate statements with Ops.* calls");

    public static readonly DiagnosticDescriptor TensorCondition = Error("DSL0009",
        "Condition depends on tensor data",
        "The condition '{0}' reads tensor values; control flow must depend on configuration (ints, bools, shapes), use Ops.Maximum/masks for data-dependent choices");

    public static readonly DiagnosticDescriptor MultipleForwards = Error("DSL0010",
        "More than one [Forward] method",
        "[Model] class '{0}' has several [Forward] methods; keep one and make the others [Differentiable] helpers");

    public static readonly DiagnosticDescriptor BadFieldType = Error("DSL0011",
        "Parameter or buffer field is not a Tensor",
        "Field '{0}' is marked [{1}] but has type '{2}'; declare it as Dsl.Tensor");

    public static readonly DiagnosticDescriptor UnsupportedSignature = Error("DSL0012",
        "Unsupported forward signature",
        "'{0}' {1}; a [Forward] or [Differentiable] helper takes at least one Tensor and returns a Tensor or a tuple of Tensors");

    public static readonly DiagnosticDescriptor NestedModel = Error("DSL0013",
        "Nested or generic model class",
        "[Model] class '{0}' is nested or generic; declare models as non-generic top-level classes");

    public static readonly DiagnosticDescriptor ReturnNotLast = Error("DSL0014",
        "Return inside control flow",
        "A [Forward] body returns inside a loop or branch; assign the result to a variable and return it once at the end");

    public static readonly DiagnosticDescriptor ReservedName = Error("DSL0015",
        "Name reserved by the generated code",
        "'{0}' is a name the generated Forward/Backward use (tape, grads, t0, s0, it0, k0, m0, d_…, dv_…, g_…); rename the variable");

    public static readonly DiagnosticDescriptor UnregisteredModule = Error("DSL0016",
        "Submodule field not registered",
        "Field '{0}' holds the model type '{1}' but has no [Module] attribute, so its parameters would get no name and never be initialised or trained; mark it [Module]");

    public static readonly DiagnosticDescriptor UnregisteredParameter = Error("DSL0017",
        "Tensor created with Param or BufferOf not registered",
        "Field '{0}' is assigned {1}(...) but has no [{2}] attribute, so it would get no name and never be initialised or trained; mark it [{2}] (with an Init)");

    public static readonly DiagnosticDescriptor InternalError = Error("DSL0099",
        "Generator internal error",
        "The model generator failed on '{0}': {1}; please report this with the model source");

    public static readonly IReadOnlyList<DiagnosticDescriptor> All =
    [
        NotPartial, NoForward, UnsupportedStatement, TensorFieldAssigned, ModuleNotModel, Recursion, NoVjpRule,
        UnsupportedExpression, TensorCondition, MultipleForwards, BadFieldType, UnsupportedSignature, NestedModel,
        ReturnNotLast, ReservedName, UnregisteredModule, UnregisteredParameter, InternalError,
    ];

    public static DiagnosticDescriptor ById(string id) => All.First(d => d.Id == id);
}
