using Dsl.Generator.Helpers;

namespace Dsl.Generator.Model;

/// <summary>
/// One step of a lowered forward body, in three-address form: every tensor expression yields a
/// <see cref="Temp"/>, every read of a user variable a snapshot temp, fields are read where they are.
/// </summary>
internal abstract record Instr(int Line);

/// <summary>The source statement that the following instructions come from.</summary>
internal sealed record SourceComment(int Line, string Text) : Instr(Line);

/// <summary>targets = an op call (Ops.*, a user op, or a Tensor operator); several targets for a tuple-returning op.</summary>
internal sealed record OpCall(int Line, EquatableArray<Temp> Targets, string CallText, EquatableArray<Operand> Operands, bool Differentiable) : Instr(Line);

/// <summary>targets = receiver.Forward(args) on a submodule, or a [Differentiable] helper of this model.</summary>
internal sealed record ModuleCall(
    int Line,
    EquatableArray<Temp> Targets,
    string ReceiverText,
    Receiver Receiver,
    string Method,
    EquatableArray<Arg> Args,
    string Slot,
    string TapeType,
    bool IsHelper,
    int TensorArgs) : Instr(Line);

/// <summary>How the backward finds a module call's receiver again.</summary>
internal enum Receiver
{
    /// <summary><c>this</c> or a field (chain): read again as written.</summary>
    Stable,

    /// <summary>A loop variable: restored from the loop iteration's tape entry.</summary>
    LoopVariable,

    /// <summary>Anything else (<c>blocks[i]</c>): recorded on the tape.</summary>
    Recorded,
}

/// <summary>An argument: a tensor <see cref="Value"/> (its <see cref="Text"/> is the value's code), or non-tensor C# text.</summary>
internal sealed record Arg(string Text, Operand? Value);

/// <summary>target = the current value of a user tensor variable.</summary>
internal sealed record Snapshot(int Line, Temp Target, Local Variable) : Instr(Line);

/// <summary>variable = value (a tensor assignment).</summary>
internal sealed record Bind(int Line, Local Variable, Operand Value, bool Declare) : Instr(Line);

/// <summary>A statement with no tensor effect, copied as written.</summary>
internal sealed record Verbatim(int Line, string Text) : Instr(Line);

/// <summary>A foreach or for loop; each iteration records its own tape entry, replayed in reverse.</summary>
internal sealed record Loop(int Line, string Keyword, string Header, EquatableArray<LoopVariable> IterationVariables, int Id, EquatableArray<Instr> Body) : Instr(Line);

/// <summary>A variable a loop declares (<c>block</c> of <c>foreach (var block in blocks)</c>), with its fully qualified type.</summary>
internal sealed record LoopVariable(string Type, Local Variable);

/// <summary>if/else on a non-tensor condition; the branch taken is recorded.</summary>
internal sealed record Branch(int Line, string Condition, int Id, EquatableArray<Instr> Then, EquatableArray<Instr> Else) : Instr(Line);

/// <summary>return of one tensor value or a tuple of them.</summary>
internal sealed record Return(int Line, EquatableArray<Operand> Values) : Instr(Line);
