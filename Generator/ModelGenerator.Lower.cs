using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generator.Diagnostics;
using Dsl.Generator.Helpers;
using Dsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generator;

public sealed partial class ModelGenerator
{
    /// <summary>
    /// Lowers a forward body to three-address <see cref="Instr"/>s: every tensor expression becomes a
    /// named temp, every read of a tensor variable a snapshot (reused while the variable's value is
    /// statically known), every tensor assignment a bind. Fields are operands read where they are.
    /// </summary>
    sealed partial class Lowerer(SemanticModel semantic, IMethodSymbol[] helpers, List<DiagnosticInfo> diagnostics, CancellationToken token)
    {
        readonly HashSet<string> tensorVariables = [];
        readonly List<Local> locals = [];
        readonly Dictionary<string, Operand> bound = [];
        int temps, snapshots, loops, branches, slots;
        bool failed;
        int line;

        readonly HashSet<string> loopVariables = [];

        public IReadOnlyList<Local> Locals => locals;

        public void DeclareTensorVariable(string name, SyntaxNode at)
        {
            if (Declare(name, at)) tensorVariables.Add(name);
        }

        /// <summary>
        /// Records a user variable (by its name without a verbatim '@'); names the generated code uses
        /// (tape, t0, s0, it0, k0, grads, d_…, dv_…, g_…) are reported, since they would clash.
        /// </summary>
        bool Declare(string name, SyntaxNode at, bool tensor = true)
        {
            if (name is "tape" or "grads" or "registry" || System.Text.RegularExpressions.Regex.IsMatch(name, @"^((t|s|it|k|m)\d+|d_.*|dv_.*|g_.*|d_out\d*)$"))
            {
                failed = true;
                diagnostics.Add(Diag(DiagnosticDescriptors.ReservedName, at.GetLocation(), name));
                return false;
            }
            if (tensor)
            {
                tensorVariables.Add(name);
                if (!locals.Any(l => l.Name == name)) locals.Add(new Local(name));
            }
            return true;
        }

        public List<Instr>? LowerBody(MethodDeclarationSyntax method)
        {
            var body = new List<Instr>();
            if (method.ExpressionBody is { } arrow)
            {
                Comment(arrow.Expression, body);
                var values = LowerOutputs(arrow.Expression, body);
                if (values is not null) body.Add(new Return(line, values.ToEquatableArray()));
            }
            else
            {
                var statements = method.Body!.Statements;
                for (int i = 0; i < statements.Count; i++) Statement(statements[i], body, topLevel: true, last: i == statements.Count - 1);
            }
            return failed ? null : body;
        }

        void Report(DiagnosticDescriptor d, SyntaxNode node, params string[] args)
        {
            failed = true;
            diagnostics.Add(Diag(d, node.GetLocation(), args));
        }

        void Comment(SyntaxNode node, List<Instr> o)
        {
            line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            var text = node.ToString().Split('\n')[0].Trim();
            if (text.Length > 100) text = text.Substring(0, 97) + "...";
            o.Add(new SourceComment(line, text));
        }

        ITypeSymbol? TypeOf(ExpressionSyntax e) => semantic.GetTypeInfo(e, token).Type;


        void Statement(StatementSyntax s, List<Instr> o, bool topLevel, bool last)
        {
            token.ThrowIfCancellationRequested();
            switch (s)
            {
                case BlockSyntax b:
                    for (int i = 0; i < b.Statements.Count; i++) Statement(b.Statements[i], o, topLevel, last && i == b.Statements.Count - 1);
                    break;
                case EmptyStatementSyntax:
                    break;
                case LocalDeclarationStatementSyntax d:
                    Comment(d, o);
                    LocalDeclaration(d, o);
                    break;
                case ExpressionStatementSyntax e:
                    Comment(e, o);
                    ExpressionStatement(e, o);
                    break;
                case ReturnStatementSyntax r:
                    Comment(r, o);
                    if (!topLevel || !last) { Report(DiagnosticDescriptors.ReturnNotLast, r); break; }
                    if (r.Expression is null) { Report(DiagnosticDescriptors.UnsupportedSignature, r, "return", "returns nothing"); break; }
                    var values = LowerOutputs(r.Expression, o);
                    if (values is not null) o.Add(new Return(line, values.ToEquatableArray()));
                    break;
                case ForEachStatementSyntax f:
                    Comment(f, o);
                    ForEach(f, o);
                    break;
                case ForStatementSyntax f:
                    Comment(f, o);
                    For(f, o);
                    break;
                case IfStatementSyntax i:
                    Comment(i, o);
                    If(i, o);
                    break;
                case ThrowStatementSyntax t:
                    o.Add(new Verbatim(line, t.ToString()));
                    break;
                default:
                    Report(DiagnosticDescriptors.UnsupportedStatement, s, StatementKind(s));
                    break;
            }
        }

        static string StatementKind(StatementSyntax s) => s switch
        {
            WhileStatementSyntax => "while",
            DoStatementSyntax => "do",
            TryStatementSyntax => "try",
            GotoStatementSyntax => "goto",
            SwitchStatementSyntax => "switch",
            LockStatementSyntax => "lock",
            UsingStatementSyntax => "using",
            YieldStatementSyntax => "yield",
            BreakStatementSyntax => "break",
            ContinueStatementSyntax => "continue",
            LocalFunctionStatementSyntax => "local function",
            LabeledStatementSyntax => "labeled",
            _ => s.Kind().ToString(),
        };

        void LocalDeclaration(LocalDeclarationStatementSyntax d, List<Instr> o)
        {
            var first = d.Declaration.Variables.FirstOrDefault();
            var symbol = first is null ? null : semantic.GetDeclaredSymbol(first, token) as ILocalSymbol;
            if (symbol is null || !IsTensor(symbol.Type))
            {
                if (CheckNonTensor(d)) o.Add(new Verbatim(line, d.ToString()));
                return;
            }
            foreach (var v in d.Declaration.Variables)
            {
                var name = v.Identifier.ValueText;
                if (!Declare(name, v)) continue;
                if (v.Initializer is null)
                {
                    o.Add(new Verbatim(line, $"global::Dsl.Tensor {new Local(name).Code} = null!;"));
                    continue;
                }
                var value = Tensor(v.Initializer.Value, o);
                if (value is not null) Bind(name, value, o, declare: true);
            }
        }

        void ExpressionStatement(ExpressionStatementSyntax e, List<Instr> o)
        {
            if (e.Expression is AssignmentExpressionSyntax a)
            {
                if (a.Left is TupleExpressionSyntax or DeclarationExpressionSyntax)
                {
                    Deconstruction(a, o);
                    return;
                }
                var info = semantic.GetSymbolInfo(a.Left, token);
                var target = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();   // readonly fields are candidates outside constructors
                if (target is IFieldSymbol f && IsTensor(f.Type) || target is IPropertySymbol p && IsTensor(p.Type))
                {
                    Report(DiagnosticDescriptors.TensorFieldAssigned, a.Left, target.Name);
                    return;
                }
                if (target is ILocalSymbol or IParameterSymbol && IsTensor(TypeOf(a.Left)))
                {
                    string name = target.Name;
                    Operand? value = a.Kind() switch
                    {
                        SyntaxKind.SimpleAssignmentExpression => Tensor(a.Right, o),
                        SyntaxKind.AddAssignmentExpression or SyntaxKind.SubtractAssignmentExpression
                            or SyntaxKind.MultiplyAssignmentExpression or SyntaxKind.DivideAssignmentExpression => Compound(a, o),
                        _ => Unsupported(a, "this assignment operator"),
                    };
                    if (value is not null) Bind(name, value, o);
                    return;
                }
            }
            if (IsTensor(TypeOf(e.Expression)))
            {
                Tensor(e.Expression, o);   // result unused, nodes still built
                return;
            }
            if (CheckNonTensor(e)) o.Add(new Verbatim(line, e.ToString()));
        }

        void Deconstruction(AssignmentExpressionSyntax a, List<Instr> o)
        {
            var names = a.Left switch
            {
                DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax p } => p.Variables.Select(v => (v as SingleVariableDesignationSyntax)?.Identifier.ValueText).ToList(),
                TupleExpressionSyntax t => t.Arguments.Select(arg => arg.Expression switch
                {
                    IdentifierNameSyntax id => id.Identifier.ValueText,
                    DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax s } => s.Identifier.ValueText,
                    _ => null,
                }).ToList(),
                _ => [],
            };
            if (names.Count == 0 || names.Any(n => n is null))
            {
                Unsupported(a.Left, "this deconstruction");
                return;
            }
            var values = LowerOutputs(a.Right, o);
            if (values is null) return;
            if (values.Count != names.Count)
            {
                Unsupported(a, "a deconstruction with a different number of elements");
                return;
            }
            var declared = a.Left is DeclarationExpressionSyntax
                ? names.Select(_ => true).ToList()
                : ((TupleExpressionSyntax)a.Left).Arguments.Select(arg => arg.Expression is DeclarationExpressionSyntax).ToList();
            for (int i = 0; i < names.Count; i++)
            {
                if (names[i] == "_") continue;
                if (declared[i] && !Declare(names[i]!, a.Left)) return;
                tensorVariables.Add(names[i]!);
                Bind(names[i]!, values[i], o, declare: declared[i]);
            }
        }

        void ForEach(ForEachStatementSyntax f, List<Instr> o)
        {
            if (IsTensor(TypeOf(f.Expression)) || semantic.GetDeclaredSymbol(f, token) is not ILocalSymbol iter || IsTensor(iter.Type))
            {
                Unsupported(f.Expression, "a foreach over tensors");
                return;
            }
            if (!CheckNonTensor(f.Expression)) return;
            var header = $"{f.Type} {f.Identifier.Text} in {f.Expression}";
            var iterVar = new LoopVariable(iter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), new Local(f.Identifier.ValueText));
            if (!Declare(f.Identifier.ValueText, f, tensor: false)) return;
            LoopBody("foreach", header, [iterVar], f.Statement, o);
        }

        void For(ForStatementSyntax f, List<Instr> o)
        {
            if (f.Declaration is null)
            {
                Unsupported(f, "a for loop without a declared loop variable (write 'for (int i = ...; ...)')");
                return;
            }
            var iterVars = new List<LoopVariable>();
            if (f.Declaration is { } d)
                foreach (var v in d.Variables)
                    if (semantic.GetDeclaredSymbol(v, token) is ILocalSymbol l)
                    {
                        if (IsTensor(l.Type)) { Unsupported(v, "a tensor loop variable"); return; }
                        if (!Declare(v.Identifier.ValueText, v, tensor: false)) return;
                        iterVars.Add(new LoopVariable(l.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), new Local(v.Identifier.ValueText)));
                    }
            if (!CheckNonTensor(f.Declaration) || f.Incrementors.Any(i => !CheckNonTensor(i)) || (f.Condition is { } c && !CheckCondition(c))) return;
            var header = $"{f.Declaration}; {f.Condition}; {string.Join(", ", f.Incrementors)}";
            LoopBody("for", header, iterVars, f.Statement, o);
        }

        void LoopBody(string keyword, string header, List<LoopVariable> iterVars, StatementSyntax statement, List<Instr> o)
        {
            int id = loops++;
            int loopLine = line;
            bound.Clear();   // values of variables carried between iterations are re-read each time
            var body = new List<Instr>();
            foreach (var v in iterVars) loopVariables.Add(v.Variable.Name);
            Statement(statement, body, topLevel: false, last: false);
            foreach (var v in iterVars) loopVariables.Remove(v.Variable.Name);
            bound.Clear();
            o.Add(new Loop(loopLine, keyword, header, iterVars.ToEquatableArray(), id, body.ToEquatableArray()));
        }

        void If(IfStatementSyntax i, List<Instr> o)
        {
            if (!CheckCondition(i.Condition)) return;
            int id = branches++;
            int ifLine = line;
            bound.Clear();
            var then = new List<Instr>();
            Statement(i.Statement, then, topLevel: false, last: false);
            bound.Clear();
            var otherwise = new List<Instr>();
            if (i.Else is { } e) Statement(e.Statement, otherwise, topLevel: false, last: false);
            bound.Clear();
            o.Add(new Branch(ifLine, i.Condition.ToString(), id, then.ToEquatableArray(), otherwise.ToEquatableArray()));
        }
    }
}
