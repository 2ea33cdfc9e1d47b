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
    /// statically known), every tensor assignment a bind. Stable values (fields) are written "@text".
    /// </summary>
    sealed class Lowerer(SemanticModel semantic, IMethodSymbol[] helpers, List<DiagnosticInfo> diagnostics, CancellationToken token)
    {
        readonly HashSet<string> tensorVariables = [];
        readonly List<string> locals = [];
        readonly Dictionary<string, string> bound = [];
        int temps, snapshots, loops, branches, slots;
        bool failed;
        int line;

        public IReadOnlyList<string> Locals => locals;

        public void DeclareTensorVariable(string name) => tensorVariables.Add(name);

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

        // ---- statements ----

        void Statement(StatementSyntax s, List<Instr> o, bool topLevel, bool last)
        {
            token.ThrowIfCancellationRequested();
            switch (s)
            {
                case BlockSyntax b:
                    for (int i = 0; i < b.Statements.Count; i++) Statement(b.Statements[i], o, topLevel && last && i == b.Statements.Count - 1 && false, false);
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
                var name = v.Identifier.Text;
                tensorVariables.Add(name);
                if (!locals.Contains(name)) locals.Add(name);
                if (v.Initializer is null) continue;
                var value = Tensor(v.Initializer.Value, o);
                if (value is not null) Bind(name, value, o);
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
                var target = semantic.GetSymbolInfo(a.Left, token).Symbol;
                if (target is IFieldSymbol f && IsTensor(f.Type) || target is IPropertySymbol p && IsTensor(p.Type))
                {
                    Report(DiagnosticDescriptors.TensorFieldAssigned, a.Left, target.Name);
                    return;
                }
                if (target is ILocalSymbol or IParameterSymbol && IsTensor(TypeOf(a.Left)))
                {
                    string name = target.Name;
                    string? value = a.Kind() switch
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
                DeclarationExpressionSyntax { Designation: ParenthesizedVariableDesignationSyntax p } => p.Variables.Select(v => (v as SingleVariableDesignationSyntax)?.Identifier.Text).ToList(),
                TupleExpressionSyntax t => t.Arguments.Select(arg => arg.Expression switch
                {
                    IdentifierNameSyntax id => id.Identifier.Text,
                    DeclarationExpressionSyntax { Designation: SingleVariableDesignationSyntax s } => s.Identifier.Text,
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
            for (int i = 0; i < names.Count; i++)
            {
                if (names[i] == "_") continue;
                tensorVariables.Add(names[i]!);
                if (!locals.Contains(names[i]!) && a.Left is DeclarationExpressionSyntax or TupleExpressionSyntax) locals.Add(names[i]!);
                Bind(names[i]!, values[i], o);
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
            var iterVar = iter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + " " + f.Identifier.Text;
            LoopBody("foreach", header, [iterVar], f.Statement, o);
        }

        void For(ForStatementSyntax f, List<Instr> o)
        {
            var iterVars = new List<string>();
            if (f.Declaration is { } d)
                foreach (var v in d.Variables)
                    if (semantic.GetDeclaredSymbol(v, token) is ILocalSymbol l)
                    {
                        if (IsTensor(l.Type)) { Unsupported(v, "a tensor loop variable"); return; }
                        iterVars.Add(l.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + " " + l.Name);
                    }
            if (!CheckNonTensor(f.Declaration as SyntaxNode ?? f) || (f.Condition is { } c && !CheckCondition(c))) return;
            var header = $"{f.Declaration}; {f.Condition}; {string.Join(", ", f.Incrementors)}";
            LoopBody("for", header, iterVars, f.Statement, o);
        }

        void LoopBody(string keyword, string header, List<string> iterVars, StatementSyntax statement, List<Instr> o)
        {
            int id = loops++;
            int loopLine = line;
            bound.Clear();   // values of variables carried between iterations are re-read each time
            var body = new List<Instr>();
            Statement(statement, body, topLevel: false, last: false);
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

        // ---- expressions ----

        /// <summary>Values of an expression that yields one tensor or a tuple of tensors.</summary>
        List<string>? LowerOutputs(ExpressionSyntax e, List<Instr> o)
        {
            e = Unwrap(e);
            if (e is TupleExpressionSyntax t)
            {
                var list = new List<string>();
                foreach (var arg in t.Arguments)
                {
                    var v = Tensor(arg.Expression, o);
                    if (v is null) return null;
                    list.Add(v);
                }
                return list;
            }
            if (TypeOf(e) is INamedTypeSymbol { IsTupleType: true } && e is InvocationExpressionSyntax inv)
                return Invocation(inv, o);
            var single = Tensor(e, o);
            return single is null ? null : [single];
        }

        static ExpressionSyntax Unwrap(ExpressionSyntax e)
        {
            while (e is ParenthesizedExpressionSyntax p) e = p.Expression;
            return e;
        }

        string? Unsupported(SyntaxNode node, string what)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, node, what);
            return null;
        }

        /// <summary>Lowers a tensor-valued expression; returns the value name (or "@text" for a stable field).</summary>
        string? Tensor(ExpressionSyntax e, List<Instr> o)
        {
            e = Unwrap(e);
            switch (e)
            {
                case IdentifierNameSyntax id:
                    return Name(id, o);
                case MemberAccessExpressionSyntax m when semantic.GetSymbolInfo(m, token).Symbol is IFieldSymbol or IPropertySymbol:
                    return IsStableReceiver(m.Expression) ? "@" + m : Unsupported(m, $"reading '{m}' (a tensor member of a non-field)");
                case BinaryExpressionSyntax b when b.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression:
                    return Binary(b.Left, b.OperatorToken.Text, b.Right, o);
                case PrefixUnaryExpressionSyntax u when u.Kind() == SyntaxKind.UnaryMinusExpression:
                    {
                        var x = Tensor(u.Operand, o);
                        return x is null ? null : Op("-" + Ref(x), [x], differentiable: true, o);
                    }
                case InvocationExpressionSyntax inv:
                    {
                        var outs = Invocation(inv, o);
                        if (outs is null) return null;
                        return outs.Count == 1 ? outs[0] : Unsupported(inv, "using a tuple-returning call as one tensor");
                    }
                case ConditionalExpressionSyntax:
                    return Unsupported(e, "a conditional (?:) choosing between tensors");
                case AnonymousFunctionExpressionSyntax:
                    return Unsupported(e, "a lambda");
                default:
                    return Unsupported(e, $"'{Short(e)}'");
            }
        }

        static string Short(SyntaxNode n)
        {
            var s = n.ToString();
            return s.Length > 60 ? s.Substring(0, 57) + "..." : s;
        }

        string? Name(IdentifierNameSyntax id, List<Instr> o)
        {
            var symbol = semantic.GetSymbolInfo(id, token).Symbol;
            switch (symbol)
            {
                case ILocalSymbol or IParameterSymbol when tensorVariables.Contains(id.Identifier.Text):
                    return Read(id.Identifier.Text, o);
                case IFieldSymbol or IPropertySymbol:
                    return "@" + id.Identifier.Text;
                default:
                    return Unsupported(id, $"the tensor '{id}'");
            }
        }

        bool IsStableReceiver(ExpressionSyntax e) => Unwrap(e) switch
        {
            ThisExpressionSyntax => true,
            IdentifierNameSyntax id => semantic.GetSymbolInfo(id, token).Symbol is IFieldSymbol or IPropertySymbol,
            MemberAccessExpressionSyntax m => IsStableReceiver(m.Expression) && semantic.GetSymbolInfo(m, token).Symbol is IFieldSymbol or IPropertySymbol,
            _ => false,
        };

        string Read(string variable, List<Instr> o)
        {
            if (bound.TryGetValue(variable, out var v)) return v;
            var s = "s" + snapshots++;
            o.Add(new Snapshot(line, s, variable));
            bound[variable] = s;
            return s;
        }

        void Bind(string variable, string value, List<Instr> o)
        {
            o.Add(new Bind(line, variable, value, false));
            bound[variable] = value;
        }

        static string Ref(string value) => value.StartsWith("@") ? value.Substring(1) : value;

        string Op(string callText, List<string> operands, bool differentiable, List<Instr> o)
        {
            var t = "t" + temps++;
            o.Add(new OpCall(line, t, callText, operands.Distinct().ToEquatableArray(), differentiable));
            return t;
        }

        string? Binary(ExpressionSyntax left, string op, ExpressionSyntax right, List<Instr> o)
        {
            var l = Argument(left, o);
            var r = Argument(right, o);
            if (l is null || r is null) return null;
            var operands = new[] { l, r }.Where(a => a.IsTensor).Select(a => a.Name!).ToList();
            return Op($"{l.Text} {op} {r.Text}", operands, differentiable: true, o);
        }

        string? Compound(AssignmentExpressionSyntax a, List<Instr> o)
        {
            string op = a.Kind() switch
            {
                SyntaxKind.AddAssignmentExpression => "+",
                SyntaxKind.SubtractAssignmentExpression => "-",
                SyntaxKind.MultiplyAssignmentExpression => "*",
                _ => "/",
            };
            return Binary(a.Left, op, a.Right, o);
        }

        /// <summary>An argument: tensor expressions are lowered, others must not touch tensor data.</summary>
        Arg? Argument(ExpressionSyntax e, List<Instr> o)
        {
            var type = TypeOf(e);
            if (type is IArrayTypeSymbol { ElementType: var el } && IsTensor(el) ||
                type is INamedTypeSymbol { IsGenericType: true } n && n.TypeArguments.Any(IsTensor))
            {
                Unsupported(e, "passing a collection of tensors (pass them as separate arguments)");
                return null;
            }
            if (IsTensor(type))
            {
                var v = Tensor(e, o);
                return v is null ? null : new Arg(Ref(v), true, v);
            }
            return CheckNonTensor(e) ? new Arg(e.ToString(), false, null) : null;
        }

        List<string>? Invocation(InvocationExpressionSyntax inv, List<Instr> o)
        {
            var info = semantic.GetSymbolInfo(inv, token);
            if (info.Symbol is not IMethodSymbol method)
            {
                Report(DiagnosticDescriptors.UnsupportedSignature, inv, Short(inv.Expression), "could not be resolved to one overload");
                return null;
            }
            if (method.ReducedFrom is not null || inv.ArgumentList.Arguments.Any(a => !a.RefKindKeyword.IsKind(SyntaxKind.None)))
                return Fail(Unsupported(inv, "an extension or ref/out call"));

            if (HasAttribute(method, DifferentiableAttr) && method.IsStatic || HasAttribute(method, NonDifferentiableAttr))
            {
                if (!IsTensor(method.ReturnType))
                    return Fail(Unsupported(inv, $"the op '{method.Name}', which does not return one Tensor,"));
                return OpInvocation(inv, method, o);
            }

            bool isHelper = helpers.Any(h => SymbolEqualityComparer.Default.Equals(h, method.OriginalDefinition));
            bool isForward = HasAttribute(method, ForwardAttr) && IsModelType(method.ContainingType);
            if (isHelper || isForward)
                return ModuleInvocation(inv, method, isHelper, o);

            if (OutputCount(method.ReturnType) > 0 || IsTensor(method.ReturnType))
            {
                Report(DiagnosticDescriptors.NoVjpRule, inv, method.ContainingType.Name + "." + method.Name);
                return null;
            }
            return Fail(Unsupported(inv, $"the call '{Short(inv)}'"));
        }

        static List<string>? Fail(string? _) => null;

        List<string>? OpInvocation(InvocationExpressionSyntax inv, IMethodSymbol method, List<Instr> o)
        {
            var args = new List<string>();
            var operands = new List<string>();
            string receiver;
            if (method.IsStatic)
                receiver = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name;
            else if (inv.Expression is MemberAccessExpressionSyntax m && IsTensor(TypeOf(m.Expression)))
            {
                var r = Tensor(m.Expression, o);
                if (r is null) return null;
                operands.Add(r);
                receiver = Ref(r) + "." + method.Name;
            }
            else return Fail(Unsupported(inv, "an instance op on a non-tensor"));

            foreach (var a in inv.ArgumentList.Arguments)
            {
                var arg = Argument(a.Expression, o);
                if (arg is null) return null;
                if (arg.IsTensor) operands.Add(arg.Name!);
                args.Add((a.NameColon is null ? "" : a.NameColon.ToString() + " ") + arg.Text);
            }
            bool differentiable = !HasAttribute(method, NonDifferentiableAttr);
            return [Op($"{receiver}({string.Join(", ", args)})", operands, differentiable, o)];
        }

        List<string>? ModuleInvocation(InvocationExpressionSyntax inv, IMethodSymbol method, bool isHelper, List<Instr> o)
        {
            string receiverText;
            if (isHelper) receiverText = "this";
            else if (inv.Expression is MemberAccessExpressionSyntax m)
            {
                if (!CheckNonTensor(m.Expression)) return null;
                receiverText = m.Expression.ToString();
            }
            else return Fail(Unsupported(inv, "calling Forward without a receiver"));

            var args = new List<Arg>();
            foreach (var a in inv.ArgumentList.Arguments)
            {
                if (a.NameColon is not null) return Fail(Unsupported(a, "a named argument to a module call"));
                var arg = Argument(a.Expression, o);
                if (arg is null) return null;
                args.Add(arg);
            }
            int outputs = OutputCount(method.ReturnType);
            if (outputs == 0) return Fail(Unsupported(inv, "a module call that returns no tensor"));
            var targets = Enumerable.Range(0, outputs).Select(_ => "t" + temps++).ToList();
            var slot = "m" + slots++;
            string tapeType = isHelper
                ? method.Name + "Tape"
                : method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ".Tape";
            o.Add(new ModuleCall(line, targets.ToEquatableArray(), receiverText, method.Name, args.ToEquatableArray(), slot, tapeType, isHelper,
                method.Parameters.Count(p => IsTensor(p.Type))));
            return targets;
        }

        /// <summary>True if a non-tensor expression neither builds graph nodes nor hides lambdas.</summary>
        bool CheckNonTensor(SyntaxNode node)
        {
            foreach (var n in node.DescendantNodesAndSelf())
            {
                if (n is AnonymousFunctionExpressionSyntax)
                {
                    Unsupported(n, "a lambda");
                    return false;
                }
                if (n is InvocationExpressionSyntax inv && semantic.GetSymbolInfo(inv, token).Symbol is IMethodSymbol m
                    && (IsTensor(m.ReturnType) || OutputCount(m.ReturnType) > 0))
                {
                    Unsupported(inv, $"the tensor call '{Short(inv)}' inside a non-tensor expression");
                    return false;
                }
            }
            return true;
        }

        /// <summary>Conditions may read shapes and configuration, never tensor values.</summary>
        bool CheckCondition(ExpressionSyntax condition)
        {
            foreach (var id in condition.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
            {
                if (!IsTensor(TypeOf(id))) continue;
                // x.Shape / x.Rank / x.DType read metadata, not data.
                if (id.Parent is MemberAccessExpressionSyntax m && m.Expression == id && m.Name.Identifier.Text is "Shape" or "Rank" or "DType" or "Type") continue;
                Report(DiagnosticDescriptors.TensorCondition, condition, Short(condition));
                return false;
            }
            return CheckNonTensor(condition);
        }
    }
}
