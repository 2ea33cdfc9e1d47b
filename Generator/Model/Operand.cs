using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generator.Model;

/// <summary>
/// A tensor value as the lowered code names it. The kind decides where its gradient goes: a
/// <see cref="Field"/>'s into the parameter gradients, a <see cref="Temp"/>'s or a <see cref="Local"/>'s
/// into its adjoint variable.
/// </summary>
internal abstract record Operand
{
    /// <summary>The C# expression that reads the value where it is in scope (the forward; a field also in the backward).</summary>
    public abstract string Code { get; }

    /// <summary>The backward's variable for the gradient with respect to this value; null for a field, whose gradient goes to <c>grads</c>.</summary>
    public virtual string? Adjoint => null;
}

/// <summary>A tensor field or property of the model, as written (<c>weight</c>, <c>this.norm.bias</c>, <c>cls!</c>): re-read in the backward, never taped.</summary>
internal sealed record Field(string Text) : Operand
{
    public override string Code => Text;
}

/// <summary>A generated value: an op or module result (<c>t0</c>…) or a variable's value when read (<c>s0</c>…); taped when the backward reads it.</summary>
internal sealed record Temp(string Name) : Operand
{
    public override string Code => Name;

    public override string Adjoint => "d_" + Name;
}

/// <summary>A user variable (local or parameter), by its name without a verbatim <c>@</c>.</summary>
internal sealed record Local(string Name) : Operand
{
    /// <summary>The name as C# must spell it: <c>@in</c> for a keyword.</summary>
    public override string Code => SyntaxFacts.GetKeywordKind(Name) == SyntaxKind.None ? Name : "@" + Name;

    /// <summary>The gradient with respect to the variable's current value.</summary>
    public override string Adjoint => "dv_" + Name;
}
