namespace Dsl;

/// <summary>
/// Marks a <c>partial class</c> as a model: the source generator writes its parameter registry,
/// a taping <c>Forward</c> and a reverse-mode <c>Backward</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ModelAttribute : Attribute;

/// <summary>Marks a field holding a submodule (a [Model] instance, or an array / List of them).</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ModuleAttribute : Attribute;

/// <summary>Marks a <see cref="Tensor"/> field as a trainable parameter, with its initialiser.</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class ParameterAttribute(Init init = Init.Zeros) : Attribute
{
    /// <summary>How the parameter is initialised.</summary>
    public Init Init { get; } = init;
}

/// <summary>Marks a <see cref="Tensor"/> field as a persistent non-trainable buffer (e.g. running statistics).</summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class BufferAttribute(Init init = Init.Zeros) : Attribute
{
    /// <summary>How the buffer is initialised.</summary>
    public Init Init { get; } = init;
}

/// <summary>Marks the model's forward method (one per model).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ForwardAttribute : Attribute;

/// <summary>
/// The VJP-rule attribute. On an op function (<c>Ops.Exp</c>, or a user's own op in another
/// assembly): its gradient is given by the <see cref="Operators.Op.Vjp"/> rules of the nodes it appends, so
/// generated backward code may differentiate calls to it. On a private helper of a [Model]: the
/// generator differentiates its body like the forward's.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DifferentiableAttribute : Attribute;

/// <summary>
/// On an op function whose result carries no gradient (masks, indices, random draws,
/// stop-gradient): generated backward code cuts the gradient there.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NonDifferentiableAttribute : Attribute;
