using Dsl.Generator.Helpers;

namespace Dsl.Generator.Model;

/// <summary>
/// One step of a lowered forward body. Tensor values are named: temps (t0…) hold op results,
/// snapshots (s0…) hold a user variable's value when read; both are recorded on the tape.
/// </summary>
internal abstract record Instr(int Line);

/// <summary>The source statement that the following instructions come from.</summary>
internal sealed record SourceComment(int Line, string Text) : Instr(Line);

/// <summary>targets = an op call (Ops.*, a user op, or a Tensor operator); several targets for a tuple-returning op.</summary>
internal sealed record OpCall(int Line, EquatableArray<string> Targets, string CallText, EquatableArray<string> Operands, bool Differentiable) : Instr(Line)
{
    public string Target => Targets[0];
}

/// <summary>targets = receiver.Forward(args) on a submodule, or a [Differentiable] helper of this model.</summary>
internal sealed record ModuleCall(
    int Line,
    EquatableArray<string> Targets,
    string ReceiverText,
    bool ReceiverStable,
    string Method,
    EquatableArray<Arg> Args,
    string Slot,
    string TapeType,
    bool IsHelper,
    int TensorArgs) : Instr(Line);

/// <summary>An argument: a tensor value name, or non-tensor C# text.</summary>
internal sealed record Arg(string Text, bool IsTensor, string? Name);

/// <summary>target = the current value of a user tensor variable.</summary>
internal sealed record Snapshot(int Line, string Target, string Variable) : Instr(Line);

/// <summary>variable = value (a tensor assignment).</summary>
internal sealed record Bind(int Line, string Variable, string Value, bool Declare) : Instr(Line);

/// <summary>A statement with no tensor effect, copied as written.</summary>
internal sealed record Verbatim(int Line, string Text) : Instr(Line);

/// <summary>A foreach or for loop; each iteration records its own tape entry, replayed in reverse.</summary>
internal sealed record Loop(int Line, string Keyword, string Header, EquatableArray<string> IterationVariables, int Id, EquatableArray<Instr> Body) : Instr(Line);

/// <summary>if/else on a non-tensor condition; the branch taken is recorded.</summary>
internal sealed record Branch(int Line, string Condition, int Id, EquatableArray<Instr> Then, EquatableArray<Instr> Else) : Instr(Line);

/// <summary>return of one tensor value or a tuple of them.</summary>
internal sealed record Return(int Line, EquatableArray<string> Values) : Instr(Line);
