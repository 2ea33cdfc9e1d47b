using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    /// <summary>
    /// What the backward reads from the tape: the forward records these values and loop variables only.
    /// Temps are named uniquely per method; loop variables per loop.
    /// </summary>
    internal sealed class Taped
    {
        readonly HashSet<string> values = [];
        readonly HashSet<(int Loop, string Variable)> loopVariables = [];

        public bool Has(Temp value) => values.Contains(value.Name);

        public bool Has(Loop loop, LoopVariable variable) => loopVariables.Contains((loop.Id, variable.Variable.Name));

        public void Add(Temp value) => values.Add(value.Name);

        public void Add(Loop loop, LoopVariable variable) => loopVariables.Add((loop.Id, variable.Variable.Name));
    }

    /// <summary>
    /// The state of the reverse sweep as it is written: which adjoints are certainly null at this point
    /// (so a null gradient is not added, a first one is assigned, and an op no gradient reaches is not
    /// differentiated), which adjoints the code mentions (and so declares), and what it reads from the tape.
    /// Every omission is exact: <c>Vjp.Add</c> with a null side returns the other, and <c>Vjp.Of</c> with
    /// null seeds only returns nulls, so the graph the backward builds is unchanged.
    /// </summary>
    sealed partial class ReverseSweep
    {
        HashSet<string> nulls = [];
        readonly HashSet<string> mentioned = [];
        readonly List<Loop> loops = [];

        public Taped Taped { get; } = new();

        /// <summary>Adjoints declared (null) from here on.</summary>
        public void Enter(IEnumerable<string> adjoints) => nulls.UnionWith(adjoints);

        /// <summary>Declares, null, those of <paramref name="adjoints"/> that the written code mentions.</summary>
        public void Declare(IEnumerable<string> adjoints, SourceWriter w)
        {
            var used = adjoints.Where(mentioned.Contains).ToArray();
            if (used.Length > 0) w.Line($"{T}? {string.Join(", ", used.Select(a => a + " = null"))};");
        }

        /// <summary>An adjoint's current value: its name, or null where it is certainly null.</summary>
        public string? Read(string adjoint)
        {
            if (nulls.Contains(adjoint)) return null;
            mentioned.Add(adjoint);
            return adjoint;
        }

        /// <summary>Adds a gradient to a value's adjoint, or to <c>grads</c> for a field; a null gradient adds nothing.</summary>
        void Accumulate(Operand value, string? gradient, SourceWriter w)
        {
            if (gradient is null) return;
            if (value.Adjoint is not { } adjoint)
            {
                w.Line($"grads.Accumulate({value.Code}, {gradient});");
                return;
            }
            mentioned.Add(adjoint);
            w.Line(nulls.Remove(adjoint) ? $"{adjoint} = {gradient};" : $"{adjoint} = {Add}({adjoint}, {gradient});");
        }

        /// <summary>variable = value, reversed: the variable's adjoint flows to the value and is used up.</summary>
        void Consume(Local variable, Operand value, SourceWriter w)
        {
            var gradient = Read(variable.Adjoint);
            if (gradient is null) return;
            Accumulate(value, gradient, w);
            w.Line($"{variable.Adjoint} = null;");
            nulls.Add(variable.Adjoint);
        }

        /// <summary>The backward's read of a value: a field as written, a temp from the tape (which then records it).</summary>
        string FromTape(Operand value, string c)
        {
            if (value is not Temp t) return value.Code;
            Taped.Add(t);
            return $"{c}.{t.Name}";
        }

        /// <summary>A module call's receiver that is a loop variable: the innermost loop declaring it restores it.</summary>
        void RestoreLoopVariable(string code)
        {
            for (int i = loops.Count - 1; i >= 0; i--)
                foreach (var v in loops[i].IterationVariables)
                    if (v.Variable.Code == code)
                    {
                        Taped.Add(loops[i], v);
                        return;
                    }
        }

        /// <summary>
        /// Before a loop's body: iterations run one after another, so an adjoint the body may assign is
        /// unknown at the start of each; the body's own values start null. Returns the state after the loop.
        /// </summary>
        HashSet<string> EnterLoop(Loop loop, IEnumerable<string> bodyValues)
        {
            var after = new HashSet<string>(nulls);
            after.ExceptWith(Assigned(loop.Body));
            nulls = new HashSet<string>(after);
            nulls.UnionWith(bodyValues);
            loops.Add(loop);
            return after;
        }

        void ExitLoop(HashSet<string> after)
        {
            loops.RemoveAt(loops.Count - 1);
            nulls = after;
        }

        /// <summary>Writes both sides of a branch from the same state; afterwards, null is what is null after both.</summary>
        void Branches(Action then, Action otherwise)
        {
            var before = new HashSet<string>(nulls);
            then();
            var afterThen = nulls;
            nulls = before;
            otherwise();
            nulls.IntersectWith(afterThen);
        }

        /// <summary>The adjoints the reverse of <paramref name="body"/> may assign.</summary>
        static IEnumerable<string> Assigned(IEnumerable<Instr> body)
        {
            foreach (var instr in body)
            {
                IEnumerable<string?> written = instr switch
                {
                    OpCall op => op.Operands.Select(o => o.Adjoint),
                    Snapshot s => [s.Variable.Adjoint],
                    Bind b => [b.Variable.Adjoint, b.Value.Adjoint],
                    ModuleCall mc => mc.Args.Select(a => a.Value?.Adjoint),
                    Return r => r.Values.Select(v => v.Adjoint),
                    Loop l => Assigned(l.Body),
                    Branch b => Assigned(b.Then).Concat(Assigned(b.Else)),
                    _ => [],
                };
                foreach (var a in written)
                    if (a is not null) yield return a;
            }
        }
    }
}
