using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    const string Add = "global::Dsl.Vjp.Add";

    /// <summary>
    /// The reverse sweep: statements in reverse order, loops replayed backwards over their recorded
    /// iterations, branches as taken. Adjoints: d_tN/d_sN for values, dv_name for variables.
    /// </summary>
    static void WriteBackward(MethodInfo m, string tapeName, string backwardName, SourceWriter w)
    {
        var tensorParams = m.Parameters.Where(p => p.IsTensor).ToArray();
        string returns = tensorParams.Length == 1 ? $"{T}?" : $"{T}?[]";
        var dOuts = m.Outputs == 1 ? $"{T}? d_out" : string.Join(", ", Enumerable.Range(0, m.Outputs).Select(i => $"{T}? d_out{i}"));
        w.Line($"/// <summary>Reverse-mode gradient of {m.Name}: returns the gradients of its tensor inputs and accumulates parameter gradients into <paramref name=\"grads\"/>.</summary>");
        w.Line(GeneratedCode);
        using (w.Block($"public {returns} {backwardName}({tapeName} tape, {dOuts}, global::Dsl.Gradients grads)"))
        {
            var variables = tensorParams.Select(p => p.Name).Concat(m.TensorLocals).Distinct().ToArray();
            if (variables.Length > 0) w.Line($"{T}? {string.Join(", ", variables.Select(v => $"{Dv(v)} = null"))};");
            DeclareAdjoints(Container.Of(m.Body), w);
            BackwardBody(m.Body, "tape", m.Outputs, w);
            w.Line(tensorParams.Length == 1
                ? $"return {Dv(tensorParams[0].Name)};"
                : $"return new {T}?[] {{ {string.Join(", ", tensorParams.Select(p => Dv(p.Name)))} }};");
        }
        w.Line();
    }

    /// <summary>The adjoint of a user variable (a verbatim '@name' drops its '@').</summary>
    static string Dv(string variable) => "dv_" + variable.TrimStart('@');

    static void DeclareAdjoints(Container c, SourceWriter w)
    {
        if (c.Values.Count > 0) w.Line($"{T}? {string.Join(", ", c.Values.Select(v => $"d_{v} = null"))};");
    }

    /// <summary>Accumulates a gradient into a value's adjoint, or into grads for a stable (field) value.</summary>
    static string Accumulate(string value, string gradient) =>
        value.StartsWith("@") ? $"grads.Accumulate({value.Substring(1)}, {gradient});" : $"d_{value} = {Add}(d_{value}, {gradient});";

    static string BackRef(string value, string c) => value.StartsWith("@") ? value.Substring(1) : $"{c}.{value}";

    static void BackwardBody(EquatableArray<Instr> body, string c, int outputs, SourceWriter w)
    {
        // Statements (a comment and its instructions) in reverse; instructions within one reversed too.
        var groups = new List<List<Instr>>();
        foreach (var i in body)
        {
            if (i is SourceComment || groups.Count == 0) groups.Add([]);
            groups[groups.Count - 1].Add(i);
        }
        for (int g = groups.Count - 1; g >= 0; g--)
        {
            var group = groups[g];
            if (group[0] is SourceComment sc && group.Skip(1).Any(HasBackward)) w.Line($"// line {sc.Line} (reverse): {sc.Text}");
            for (int k = group.Count - 1; k >= 0; k--) BackwardInstr(group[k], c, outputs, w);
        }
    }

    static bool HasBackward(Instr i) => i is not (Verbatim or SourceComment);

    static void BackwardInstr(Instr instr, string c, int outputs, SourceWriter w)
    {
        switch (instr)
        {
            case Return r:
                for (int k = 0; k < r.Values.Length; k++)
                    w.Line(Accumulate(r.Values[k], outputs == 1 ? "d_out" : "d_out" + k));
                break;
            case OpCall op when !op.Differentiable:
                w.Line($"// {string.Join(", ", op.Targets)}: no gradient (non-differentiable op)");
                break;
            case OpCall op:
                {
                    var g = "g_" + op.Target;
                    var operands = string.Join(", ", op.Operands.Select(o => BackRef(o, c)));
                    if (op.Operands.Length == 0) break;
                    w.Line(op.Targets.Length == 1
                        ? $"var {g} = global::Dsl.Vjp.Of({c}.{op.Target}, d_{op.Target}, {operands});"
                        : $"var {g} = global::Dsl.Vjp.Of(new {T}[] {{ {string.Join(", ", op.Targets.Select(t => c + "." + t))} }}, new {T}?[] {{ {string.Join(", ", op.Targets.Select(t => "d_" + t))} }}, {operands});");
                    for (int k = 0; k < op.Operands.Length; k++) w.Line(Accumulate(op.Operands[k], $"{g}[{k}]"));
                    break;
                }
            case Snapshot s:
                w.Line($"{Dv(s.Variable)} = {Add}({Dv(s.Variable)}, d_{s.Target});");
                break;
            case Bind b:
                w.Line(Accumulate(b.Value, Dv(b.Variable)));
                w.Line($"{Dv(b.Variable)} = null;");
                break;
            case ModuleCall mc:
                WriteModuleCallBackward(mc, c, w);
                break;
            case Loop l:
                {
                    string k = "k" + l.Id, it = "it" + l.Id;
                    using (w.Block($"for (int {k} = {c}.loop{l.Id}.Count - 1; {k} >= 0; {k}--)"))
                    {
                        w.Line($"var {it} = {c}.loop{l.Id}[{k}];");
                        foreach (var v in l.IterationVariables)
                        {
                            var name = v.Substring(v.LastIndexOf(' ') + 1);
                            w.Line($"var {name} = {it}.{name};");
                        }
                        DeclareAdjoints(Container.Of(l.Body), w);
                        BackwardBody(l.Body, it, outputs, w);
                    }
                    break;
                }
            case Branch b:
                using (w.Block($"if ({c}.b{b.Id})")) BackwardBody(b.Then, c, outputs, w);
                using (w.Block("else")) BackwardBody(b.Else, c, outputs, w);
                break;
        }
    }

    static void WriteModuleCallBackward(ModuleCall mc, string c, SourceWriter w)
    {
        string receiver = mc.IsHelper ? "this" : NeedsReceiverSlot(mc) ? $"{c}.{mc.Slot}Module" : mc.ReceiverText;
        string method = mc.IsHelper ? mc.Method + "Backward" : "Backward";
        var dOuts = string.Join(", ", mc.Targets.Select(t => "d_" + t));
        var g = "g_" + mc.Slot;
        var call = $"{receiver}.{method}({c}.{mc.Slot}, {dOuts}, grads)";
        if (mc.IsHelper)
        {
            w.Line($"var {g} = {call};");
        }
        else
        {
            // The same name scope as the forward call, so the gradient's nodes (and shape errors) read blocks.3.attn.qkv too.
            w.Line($"{T}?{(mc.TensorArgs == 1 ? "" : "[]")} {g};");
            using (w.Block($"using (global::Dsl.ModuleScope.Enter(this, {receiver}, \"{FieldOf(mc.ReceiverText)}\", {c}.{mc.Targets[0]}))"))
                w.Line($"{g} = {call};");
        }
        int k = 0;
        foreach (var a in mc.Args)
        {
            if (!a.IsTensor) continue;
            w.Line(Accumulate(a.Name!, mc.TensorArgs == 1 ? g : $"{g}[{k}]"));
            k++;
        }
    }
}
