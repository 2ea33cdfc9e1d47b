using System.Linq;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    static void WriteMethod(MethodInfo m, string tapeName, string backwardName, SourceWriter w)
    {
        WriteTapeClasses(tapeName, Container.Of(m.Body), w);
        WriteForward(m, tapeName, w);
        WriteBackward(m, tapeName, backwardName, w);
    }

    static string Parameters(MethodInfo m) => string.Join(", ", m.Parameters.Select(p => $"{p.TypeText} {p.Name}"));

    static void WriteForward(MethodInfo m, string tapeName, SourceWriter w)
    {
        w.Line($"/// <summary>{m.Name} (line {m.Line}), recording on <paramref name=\"tape\"/> what <c>{(tapeName == "Tape" ? "Backward" : m.Name + "Backward")}</c> needs.</summary>");
        w.Line(GeneratedCode);
        using (w.Block($"public {m.ReturnTypeText} {m.Name}({Parameters(m)}, out {tapeName} tape)"))
        {
            w.Line($"tape = new {tapeName}();");
            ForwardBody(m.Body, "tape", tapeName, w);
        }
        w.Line();
    }

    static void ForwardBody(EquatableArray<Instr> body, string c, string tapeName, SourceWriter w)
    {
        foreach (var instr in body)
        {
            switch (instr)
            {
                case SourceComment sc:
                    w.Line($"// line {sc.Line}: {sc.Text}");
                    break;
                case OpCall op when op.Targets.Length == 1:
                    w.Line($"var {op.Target} = {c}.{op.Target} = {op.CallText};");
                    break;
                case OpCall op:
                    w.Line($"var ({string.Join(", ", op.Targets)}) = {op.CallText};");
                    foreach (var t in op.Targets) w.Line($"{c}.{t} = {t};");
                    break;
                case Snapshot s:
                    w.Line($"var {s.Target} = {c}.{s.Target} = {s.Variable};");
                    break;
                case Bind b:
                    w.Line($"{(b.Declare ? "var " : "")}{b.Variable} = {Ref(b.Value)};");
                    break;
                case Verbatim v:
                    w.Line(v.Text);
                    break;
                case ModuleCall mc:
                    WriteModuleCallForward(mc, c, w);
                    break;
                case Loop l:
                    using (w.Block($"{l.Keyword} ({l.Header})"))
                    {
                        string it = "it" + l.Id;
                        var init = string.Join(", ", l.IterationVariables.Select(v => v.Substring(v.LastIndexOf(' ') + 1)).Select(n => $"{n} = {n}"));
                        w.Line($"var {it} = new {tapeName}.Loop{l.Id} {{ {init} }};");
                        w.Line($"{c}.loop{l.Id}.Add({it});");
                        ForwardBody(l.Body, it, tapeName, w);
                    }
                    break;
                case Branch b:
                    using (w.Block($"if ({b.Condition})"))
                    {
                        w.Line($"{c}.b{b.Id} = true;");
                        ForwardBody(b.Then, c, tapeName, w);
                    }
                    using (w.Block("else"))
                    {
                        w.Line($"{c}.b{b.Id} = false;");
                        ForwardBody(b.Else, c, tapeName, w);
                    }
                    break;
                case Return r:
                    w.Line(r.Values.Length == 1 ? $"return {Ref(r.Values[0])};" : $"return ({string.Join(", ", r.Values.Select(Ref))});");
                    break;
            }
        }
    }

    static string Ref(string value) => value.StartsWith("@") ? value.Substring(1) : value;

    static void WriteModuleCallForward(ModuleCall mc, string c, SourceWriter w)
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
            WriteCallTargets(mc, call, declare: true, c, w);
            return;
        }
        // A submodule's nodes (and its shape errors) carry its registered name: blocks.3.attn.qkv.
        w.Line($"global::Dsl.Tensor {string.Join(", ", mc.Targets)};");
        var input = mc.Args.First(a => a.IsTensor).Text;
        using (w.Block($"using (global::Dsl.ModuleScope.Enter(this, {receiver}, \"{FieldOf(mc.ReceiverText)}\", {input}))"))
            WriteCallTargets(mc, call, declare: false, c, w);
    }

    static void WriteCallTargets(ModuleCall mc, string call, bool declare, string c, SourceWriter w)
    {
        string var = declare ? "var " : "";
        if (mc.Targets.Length == 1)
        {
            w.Line($"{var}{mc.Targets[0]} = {c}.{mc.Targets[0]} = {call};");
            return;
        }
        w.Line($"{var}({string.Join(", ", mc.Targets)}) = {call};");
        foreach (var t in mc.Targets) w.Line($"{c}.{t} = {t};");
    }

    /// <summary>The field a receiver expression reads (<c>blocks</c> of <c>this.blocks[i]</c>): the scope name when the registry has none.</summary>
    static string FieldOf(string receiver)
    {
        if (receiver.StartsWith("this.")) receiver = receiver.Substring(5);
        int end = receiver.IndexOfAny(['[', '.', '(']);
        return end < 0 ? receiver : receiver.Substring(0, end);
    }
}
