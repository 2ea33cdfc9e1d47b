using System.Linq;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    static void WriteMethod(MethodInfo m, string tapeName, string backwardName, SourceWriter w)
    {
        // The backward is written first: the tape records only what it reads.
        var backward = w.Fork();
        var taped = WriteBackward(m, tapeName, backwardName, backward);
        WriteTapeClasses(tapeName, Container.Of(m.Body), taped, w);
        WriteForward(m, tapeName, taped, w);
        w.Append(backward);
    }

    static string Parameters(MethodInfo m) => string.Join(", ", m.Parameters.Select(p => $"{p.TypeText} {p.Variable.Code}"));

    static void WriteForward(MethodInfo m, string tapeName, Taped taped, SourceWriter w)
    {
        w.Line($"/// <summary>{m.Name} (line {m.Line}), recording on <paramref name=\"tape\"/> what <c>{(tapeName == "Tape" ? "Backward" : m.Name + "Backward")}</c> needs.</summary>");
        w.Line(GeneratedCode);
        using (w.Block($"public {m.ReturnTypeText} {m.Name}({Parameters(m)}, out {tapeName} tape)"))
        {
            w.Line($"tape = new {tapeName}();");
            ForwardBody(m.Body, "tape", tapeName, taped, w);
        }
        w.Line();
    }

    static void ForwardBody(EquatableArray<Instr> body, string c, string tapeName, Taped taped, SourceWriter w)
    {
        foreach (var instr in body)
        {
            switch (instr)
            {
                case SourceComment sc:
                    w.Line($"// line {sc.Line}: {sc.Text}");
                    break;
                case OpCall op when op.Targets.Length == 1:
                    w.Line($"var {op.Targets[0].Name} = {Record(op.Targets[0], c, taped)}{op.CallText};");
                    break;
                case OpCall op:
                    w.Line($"var ({string.Join(", ", op.Targets.Select(t => t.Name))}) = {op.CallText};");
                    RecordEach(op.Targets, c, taped, w);
                    break;
                case Snapshot s:
                    w.Line($"var {s.Target.Name} = {Record(s.Target, c, taped)}{s.Variable.Code};");
                    break;
                case Bind b:
                    w.Line($"{(b.Declare ? "var " : "")}{b.Variable.Code} = {b.Value.Code};");
                    break;
                case Verbatim v:
                    w.Line(v.Text);
                    break;
                case ModuleCall mc:
                    WriteModuleCallForward(mc, c, taped, w);
                    break;
                case Loop l:
                    using (w.Block($"{l.Keyword} ({l.Header})"))
                    {
                        string it = "it" + l.Id;
                        var init = string.Join(", ", l.IterationVariables.Where(v => taped.Has(l, v)).Select(v => $"{v.Variable.Code} = {v.Variable.Code}"));
                        w.Line(init.Length == 0 ? $"var {it} = new {tapeName}.Loop{l.Id}();" : $"var {it} = new {tapeName}.Loop{l.Id} {{ {init} }};");
                        w.Line($"{c}.loop{l.Id}.Add({it});");
                        ForwardBody(l.Body, it, tapeName, taped, w);
                    }
                    break;
                case Branch b:
                    using (w.Block($"if ({b.Condition})"))
                    {
                        w.Line($"{c}.b{b.Id} = true;");
                        ForwardBody(b.Then, c, tapeName, taped, w);
                    }
                    using (w.Block("else"))
                    {
                        w.Line($"{c}.b{b.Id} = false;");
                        ForwardBody(b.Else, c, tapeName, taped, w);
                    }
                    break;
                case Return r:
                    w.Line(r.Values.Length == 1 ? $"return {r.Values[0].Code};" : $"return ({string.Join(", ", r.Values.Select(v => v.Code))});");
                    break;
            }
        }
    }

    /// <summary>"c.t0 = " when the backward reads <paramref name="value"/> from the tape, else nothing.</summary>
    static string Record(Temp value, string c, Taped taped) => taped.Has(value) ? $"{c}.{value.Name} = " : "";

    /// <summary>Records the taped ones of several values already in locals of their names.</summary>
    static void RecordEach(EquatableArray<Temp> values, string c, Taped taped, SourceWriter w)
    {
        foreach (var t in values.Where(taped.Has)) w.Line($"{c}.{t.Name} = {t.Name};");
    }

    static void WriteModuleCallForward(ModuleCall mc, string c, Taped taped, SourceWriter w)
    {
        string receiver = mc.IsHelper ? "this" : mc.ReceiverText;
        if (NeedsReceiverSlot(mc))
        {
            w.Line($"{c}.{mc.Slot}Module = {mc.ReceiverText};");
            receiver = $"{c}.{mc.Slot}Module";
        }
        var args = string.Join(", ", mc.Args.Select(a => a.Text));
        var call = $"{receiver}.{mc.Method}({args}, out {c}.{mc.Slot})";
        if (mc.IsHelper)
        {
            WriteCallTargets(mc, call, declare: true, c, taped, w);
            return;
        }
        // A submodule's nodes (and its shape errors) carry its registered name: blocks.3.attn.qkv.
        w.Line($"global::Dsl.Tensor {string.Join(", ", mc.Targets.Select(t => t.Name))};");
        var input = mc.Args.First(a => a.Value is not null).Text;
        using (w.Block($"using (global::Dsl.ModuleScope.Enter(this, {receiver}, \"{FieldOf(mc.ReceiverText)}\", {input}))"))
            WriteCallTargets(mc, call, declare: false, c, taped, w);
    }

    static void WriteCallTargets(ModuleCall mc, string call, bool declare, string c, Taped taped, SourceWriter w)
    {
        string var = declare ? "var " : "";
        if (mc.Targets.Length == 1)
        {
            w.Line($"{var}{mc.Targets[0].Name} = {Record(mc.Targets[0], c, taped)}{call};");
            return;
        }
        w.Line($"{var}({string.Join(", ", mc.Targets.Select(t => t.Name))}) = {call};");
        RecordEach(mc.Targets, c, taped, w);
    }

    /// <summary>The field a receiver expression reads (<c>blocks</c> of <c>this.blocks[i]</c>): the scope name when the registry has none.</summary>
    static string FieldOf(string receiver)
    {
        if (receiver.StartsWith("this.")) receiver = receiver.Substring(5);
        int end = receiver.IndexOfAny(['[', '.', '(']);
        return end < 0 ? receiver : receiver.Substring(0, end);
    }
}
