using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    /// <summary>
    /// The reverse sweep: statements in reverse order, loops replayed backwards over their recorded
    /// iterations, branches as taken. Adjoints: d_tN/d_sN for values, dv_name for variables.
    /// Returns what the sweep reads from the tape.
    /// </summary>
    static Taped WriteBackward(MethodInfo m, string tapeName, string backwardName, SourceWriter w)
    {
        var tensorParams = m.Parameters.Where(p => p.IsTensor).Select(p => p.Variable).ToArray();
        string returns = tensorParams.Length == 1 ? $"{T}?" : $"{T}?[]";
        var dOuts = m.Outputs == 1 ? $"{T}? d_out" : string.Join(", ", Enumerable.Range(0, m.Outputs).Select(i => $"{T}? d_out{i}"));
        var sweep = new ReverseSweep();
        w.Line($"/// <summary>Reverse-mode gradient of {m.Name}: returns the gradients of its tensor inputs and accumulates parameter gradients into <paramref name=\"grads\"/>.</summary>");
        w.Line(GeneratedCode);
        using (w.Block($"public {returns} {backwardName}({tapeName} tape, {dOuts}, global::Dsl.Gradients grads)"))
        {
            var variables = tensorParams.Concat(m.TensorLocals).Distinct().Select(v => v.Adjoint).ToArray();
            var values = Container.Of(m.Body).Values.Select(v => v.Adjoint).ToArray();
            sweep.Enter(variables.Concat(values));
            var body = w.Fork();
            sweep.Body(m.Body, "tape", m.Outputs, body);
            var result = tensorParams.Length == 1
                ? $"return {sweep.Read(tensorParams[0].Adjoint) ?? "null"};"
                : $"return new {T}?[] {{ {string.Join(", ", tensorParams.Select(p => sweep.Read(p.Adjoint) ?? "null"))} }};";
            sweep.Declare(variables, w);
            sweep.Declare(values, w);
            w.Append(body);
            w.Line(result);
        }
        w.Line();
        return sweep.Taped;
    }

    sealed partial class ReverseSweep
    {
        const string Add = "global::Dsl.Vjp.Add";

        public void Body(EquatableArray<Instr> body, string c, int outputs, SourceWriter w)
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
                var text = w.Fork();
                for (int k = group.Count - 1; k >= 0; k--) Instruction(group[k], c, outputs, text);
                if (text.IsEmpty) continue;
                if (group[0] is SourceComment sc) w.Line($"// line {sc.Line} (reverse): {sc.Text}");
                w.Append(text);
            }
        }

        void Instruction(Instr instr, string c, int outputs, SourceWriter w)
        {
            switch (instr)
            {
                case Return r:
                    for (int k = 0; k < r.Values.Length; k++)
                        Accumulate(r.Values[k], outputs == 1 ? "d_out" : "d_out" + k, w);
                    break;
                case OpCall op when !op.Differentiable:
                    w.Line($"// {string.Join(", ", op.Targets.Select(t => t.Name))}: no gradient (non-differentiable op)");
                    break;
                case OpCall op:
                    Differentiate(op, c, w);
                    break;
                case Snapshot s:
                    Accumulate(s.Variable, Read(s.Target.Adjoint), w);
                    break;
                case Bind b:
                    Consume(b.Variable, b.Value, w);
                    break;
                case ModuleCall mc:
                    ModuleBackward(mc, c, w);
                    break;
                case Loop l:
                    Reverse(l, c, outputs, w);
                    break;
                case Branch b:
                    Reverse(b, c, outputs, w);
                    break;
            }
        }

        /// <summary>The op's VJP, seeded by the adjoints of its outputs that may be non-null (none: nothing to do).</summary>
        void Differentiate(OpCall op, string c, SourceWriter w)
        {
            if (op.Operands.Length == 0) return;
            var seeds = op.Targets.Select(t => (Value: t, Adjoint: Read(t.Adjoint))).Where(s => s.Adjoint is not null).ToArray();
            if (seeds.Length == 0) return;
            var g = "g_" + op.Targets[0].Name;
            var operands = string.Join(", ", op.Operands.Select(o => FromTape(o, c)));
            w.Line(seeds.Length == 1
                ? $"var {g} = global::Dsl.Vjp.Of({FromTape(seeds[0].Value, c)}, {seeds[0].Adjoint}, {operands});"
                : $"var {g} = global::Dsl.Vjp.Of(new {T}[] {{ {string.Join(", ", seeds.Select(s => FromTape(s.Value, c)))} }}, new {T}?[] {{ {string.Join(", ", seeds.Select(s => s.Adjoint))} }}, {operands});");
            for (int k = 0; k < op.Operands.Length; k++) Accumulate(op.Operands[k], $"{g}[{k}]", w);
        }

        void ModuleBackward(ModuleCall mc, string c, SourceWriter w)
        {
            string receiver = mc.Receiver == Receiver.Recorded ? $"{c}.{mc.Slot}Module" : mc.ReceiverText;
            if (mc.Receiver == Receiver.LoopVariable) RestoreLoopVariable(mc.ReceiverText);
            string method = mc.IsHelper ? mc.Method + "Backward" : "Backward";
            var dOuts = string.Join(", ", mc.Targets.Select(t => Read(t.Adjoint) ?? "null"));
            var g = "g_" + mc.Slot;
            var call = $"{receiver}.{method}({c}.{mc.Slot}, {dOuts}, grads)";
            var incoming = mc.Targets.Select(t => Read(t.Adjoint)).FirstOrDefault(d => d is not null);
            if (mc.IsHelper || incoming is null)
            {
                w.Line($"var {g} = {call};");
            }
            else
            {
                // The same name scope as the forward call, so the gradient's nodes (and shape errors) read blocks.3.attn.qkv too.
                w.Line($"{T}?{(mc.TensorArgs == 1 ? "" : "[]")} {g};");
                using (w.Block($"using (global::Dsl.ModuleScope.Enter(this, {receiver}, \"{FieldOf(mc.ReceiverText)}\", {incoming}))"))
                    w.Line($"{g} = {call};");
            }
            int k = 0;
            foreach (var a in mc.Args)
            {
                if (a.Value is null) continue;
                Accumulate(a.Value, mc.TensorArgs == 1 ? g : $"{g}[{k}]", w);
                k++;
            }
        }

        /// <summary>Iterations in reverse, each restoring its loop variables and starting with fresh adjoints of its values.</summary>
        void Reverse(Loop l, string c, int outputs, SourceWriter w)
        {
            string k = "k" + l.Id, it = "it" + l.Id;
            var values = Container.Of(l.Body).Values.Select(v => v.Adjoint).ToArray();
            var after = EnterLoop(l, values);
            var body = w.Fork(1);
            Body(l.Body, it, outputs, body);
            ExitLoop(after);
            if (body.IsEmpty) return;
            using (w.Block($"for (int {k} = {c}.loop{l.Id}.Count - 1; {k} >= 0; {k}--)"))
            {
                w.Line($"var {it} = {c}.loop{l.Id}[{k}];");
                foreach (var v in l.IterationVariables.Where(v => Taped.Has(l, v)))
                    w.Line($"var {v.Variable.Code} = {it}.{v.Variable.Code};");
                Declare(values, w);
                w.Append(body);
            }
        }

        /// <summary>The branch the forward took; adjoints known null after it are those known null after both sides.</summary>
        void Reverse(Branch b, string c, int outputs, SourceWriter w)
        {
            var then = w.Fork(1);
            var otherwise = w.Fork(1);
            Branches(() => Body(b.Then, c, outputs, then), () => Body(b.Else, c, outputs, otherwise));
            if (then.IsEmpty && otherwise.IsEmpty) return;
            using (w.Block($"if ({c}.b{b.Id})")) w.Append(then);
            if (!otherwise.IsEmpty)
                using (w.Block("else")) w.Append(otherwise);
        }
    }
}
