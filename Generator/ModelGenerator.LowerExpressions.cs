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
    sealed partial class Lowerer
    {

        /// <summary>Values of an expression that yields one tensor or a tuple of tensors.</summary>
        List<Operand>? LowerOutputs(ExpressionSyntax e, List<Instr> o)
        {
            e = Unwrap(e);
            if (e is TupleExpressionSyntax t)
            {
                var list = new List<Operand>();
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
            while (true)
            {
                if (e is ParenthesizedExpressionSyntax p) e = p.Expression;
                else if (e is PostfixUnaryExpressionSyntax bang && bang.IsKind(SyntaxKind.SuppressNullableWarningExpression)) e = bang.Operand;
                else return e;
            }
        }

        Operand? Unsupported(SyntaxNode node, string what)
        {
            Report(DiagnosticDescriptors.UnsupportedExpression, node, what);
            return null;
        }

        /// <summary>Lowers a tensor-valued expression to the operand that holds its value.</summary>
        Operand? Tensor(ExpressionSyntax e, List<Instr> o)
        {
            e = Unwrap(e);
            switch (e)
            {
                case IdentifierNameSyntax id:
                    return Name(id, o);
                case MemberAccessExpressionSyntax m when semantic.GetSymbolInfo(m, token).Symbol is IFieldSymbol or IPropertySymbol:
                    return IsStableReceiver(m.Expression) ? new Field(m + NullForgiving(semantic.GetSymbolInfo(m, token).Symbol!)) : Unsupported(m, $"reading '{m}' (a tensor member of a non-field)");
                case BinaryExpressionSyntax b when b.Kind() is SyntaxKind.AddExpression or SyntaxKind.SubtractExpression or SyntaxKind.MultiplyExpression or SyntaxKind.DivideExpression:
                    return Binary(b.Left, b.OperatorToken.Text, b.Right, o);
                case PrefixUnaryExpressionSyntax u when u.Kind() == SyntaxKind.UnaryMinusExpression:
                    {
                        var x = Tensor(u.Operand, o);
                        return x is null ? null : Op("-" + x.Code, [x], differentiable: true, o);
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

        Operand? Name(IdentifierNameSyntax id, List<Instr> o)
        {
            var symbol = semantic.GetSymbolInfo(id, token).Symbol;
            switch (symbol)
            {
                case ILocalSymbol or IParameterSymbol when tensorVariables.Contains(id.Identifier.ValueText):
                    return Read(id.Identifier.ValueText, o);
                case IFieldSymbol or IPropertySymbol:
                    return new Field(id.Identifier.Text + NullForgiving(symbol));
                default:
                    return Unsupported(id, $"the tensor '{id}'");
            }
        }

        /// <summary>Optional (Tensor?) fields are read with '!': the model's own config guards their use.</summary>
        static string NullForgiving(ISymbol s) =>
            (s is IFieldSymbol f ? f.NullableAnnotation : s is IPropertySymbol p ? p.NullableAnnotation : NullableAnnotation.None) == NullableAnnotation.Annotated ? "!" : "";

        bool IsStableReceiver(ExpressionSyntax e) => Unwrap(e) switch
        {
            ThisExpressionSyntax => true,
            IdentifierNameSyntax id => semantic.GetSymbolInfo(id, token).Symbol is IFieldSymbol or IPropertySymbol,
            MemberAccessExpressionSyntax m => IsStableReceiver(m.Expression) && semantic.GetSymbolInfo(m, token).Symbol is IFieldSymbol or IPropertySymbol,
            _ => false,
        };

        Operand Read(string variable, List<Instr> o)
        {
            if (bound.TryGetValue(variable, out var v)) return v;
            var s = new Temp("s" + snapshots++);
            o.Add(new Snapshot(line, s, new Local(variable)));
            bound[variable] = s;
            return s;
        }

        void Bind(string variable, Operand value, List<Instr> o, bool declare = false)
        {
            o.Add(new Bind(line, new Local(variable), value, declare));
            bound[variable] = value;
        }

        List<Temp> NewTargets(int outputs) => Enumerable.Range(0, outputs).Select(_ => new Temp("t" + temps++)).ToList();

        Operand Op(string callText, List<Operand> operands, bool differentiable, List<Instr> o) =>
            Ops(callText, operands, differentiable, 1, o)[0];

        List<Operand> Ops(string callText, List<Operand> operands, bool differentiable, int outputs, List<Instr> o)
        {
            var targets = NewTargets(outputs);
            o.Add(new OpCall(line, targets.ToEquatableArray(), callText, operands.Distinct().ToEquatableArray(), differentiable));
            return [.. targets];
        }

        Operand? Binary(ExpressionSyntax left, string op, ExpressionSyntax right, List<Instr> o)
        {
            var l = Argument(left, o);
            var r = Argument(right, o);
            if (l is null || r is null) return null;
            var operands = new[] { l, r }.Where(a => a.Value is not null).Select(a => a.Value!).ToList();
            return Op($"{l.Text} {op} {r.Text}", operands, differentiable: true, o);
        }

        Operand? Compound(AssignmentExpressionSyntax a, List<Instr> o)
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
                return v is null ? null : new Arg(v.Code, v);
            }
            return CheckNonTensor(e) ? new Arg(e.ToString(), null) : null;
        }

        List<Operand>? Invocation(InvocationExpressionSyntax inv, List<Instr> o)
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
                if (OutputCount(method.ReturnType) == 0)
                    return Fail(Unsupported(inv, $"the op '{method.Name}', which returns neither a Tensor nor a tuple of Tensors,"));
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

        static List<Operand>? Fail(Operand? _) => null;

        List<Operand>? OpInvocation(InvocationExpressionSyntax inv, IMethodSymbol method, List<Instr> o)
        {
            var args = new List<string>();
            var operands = new List<Operand>();
            string receiver;
            if (method.IsStatic)
                receiver = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + method.Name;
            else if (inv.Expression is MemberAccessExpressionSyntax m && IsTensor(TypeOf(m.Expression)))
            {
                var r = Tensor(m.Expression, o);
                if (r is null) return null;
                operands.Add(r);
                receiver = r.Code + "." + method.Name;
            }
            else return Fail(Unsupported(inv, "an instance op on a non-tensor"));

            foreach (var a in inv.ArgumentList.Arguments)
            {
                var arg = Argument(a.Expression, o);
                if (arg is null) return null;
                if (arg.Value is { } value) operands.Add(value);
                args.Add((a.NameColon is null ? "" : a.NameColon.ToString() + " ") + arg.Text);
            }
            bool differentiable = !HasAttribute(method, NonDifferentiableAttr);
            return Ops($"{receiver}({string.Join(", ", args)})", operands, differentiable, OutputCount(method.ReturnType), o);
        }

        List<Operand>? ModuleInvocation(InvocationExpressionSyntax inv, IMethodSymbol method, bool isHelper, List<Instr> o)
        {
            string receiverText;
            var receiver = Receiver.Stable;
            if (isHelper) receiverText = "this";
            else if (inv.Expression is MemberAccessExpressionSyntax m)
            {
                if (!CheckNonTensor(m.Expression)) return null;
                receiverText = m.Expression.ToString();
                // Fields and `this` are re-read in the backward, loop variables restored per iteration; others are recorded.
                if (m.Expression is IdentifierNameSyntax id && loopVariables.Contains(id.Identifier.ValueText))
                    (receiver, receiverText) = (Receiver.LoopVariable, new Local(id.Identifier.ValueText).Code);
                else if (!IsStableReceiver(m.Expression))
                    receiver = Receiver.Recorded;
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
            var targets = NewTargets(outputs);
            var slot = "m" + slots++;
            string tapeType = isHelper
                ? method.Name + "Tape"
                : method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + ".Tape";
            o.Add(new ModuleCall(line, targets.ToEquatableArray(), receiverText, receiver, method.Name, args.ToEquatableArray(), slot, tapeType, isHelper,
                method.Parameters.Count(p => IsTensor(p.Type))));
            return [.. targets];
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
