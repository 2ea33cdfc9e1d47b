using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using Dsl.Generator;
using Dsl.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Dsl.Tests.Generator;

/// <summary>
/// Every generator diagnostic (DSL0001…DSL0017) from a small model: its id, a location on the offending
/// syntax (the line marked <c>//!</c>, a span holding the expected token) and a message carrying its fix
/// hint. DSL0099 (internal error) must never appear.
/// </summary>
public class DiagnosticTests
{
    const string Prelude = """
        using System;
        using System.Collections.Generic;
        using Dsl;

        namespace Diag;

        """;

    /// <summary>A [Model] class M with a weight, a bias, an int and a bool, and the given members.</summary>
    static string Model(string members) => Prelude + $$"""
        [Model]
        public partial class M
        {
            [Parameter(Init.XavierUniform)] readonly Tensor weight;
            [Parameter] readonly Tensor bias;
            readonly int n = 2;
            readonly bool flag = true;

            public M() { weight = Param(2, 2); bias = Param(2); }

        {{members}}
        }
        """;

    /// <summary>A model whose [Forward] body is the given statements (x is the Tensor input).</summary>
    static string Body(string statements) => Model($$"""
            [Forward]
            public Tensor Forward(Tensor x)
            {
        {{statements}}
            }
        """);

    /// <summary>The descriptors of the generator, read by reflection (DiagnosticDescriptors is internal).</summary>
    static IReadOnlyList<DiagnosticDescriptor> Descriptors()
    {
        var type = typeof(ModelGenerator).Assembly.GetType("Dsl.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        var all = type.GetField("All", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null);
        return ((IEnumerable<DiagnosticDescriptor>)all!).ToList();
    }

    static string Describe(IEnumerable<Diagnostic> diagnostics) => string.Join("\n", diagnostics.Select(d => d.ToString()));

    /// <summary>
    /// Runs the generator and returns the diagnostic with this id that sits on the line marked //!
    /// (asserting there is one, that it is an error, and that no DSL0099 appeared).
    /// </summary>
    static Diagnostic Expect(string id, string source, string token, params string[] hintWords)
    {
        source = source.Replace("\r\n", "\n");
        var lines = source.Split('\n');
        var marked = Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains("//!")).ToList();
        marked.Count.ShouldBe(1, "the test source must mark exactly one line with //!");
        int expectedLine = marked[0];

        var (_, diagnostics, _) = GeneratorRun.Run(source);
        diagnostics.ShouldNotContain(d => d.Id == "DSL0099", Describe(diagnostics));
        var withId = diagnostics.Where(d => d.Id == id).ToList();
        withId.ShouldNotBeEmpty($"expected {id}, got:\n{Describe(diagnostics)}");
        var d = withId.FirstOrDefault(d => d.Location.GetLineSpan().StartLinePosition.Line == expectedLine);
        d.ShouldNotBeNull($"expected {id} on line {expectedLine + 1} ({lines[expectedLine].Trim()}), got:\n{Describe(withId)}");

        d.Severity.ShouldBe(DiagnosticSeverity.Error);
        var span = d.Location.GetLineSpan();
        span.Path.ShouldBe("Model0.cs");
        var spanText = source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
        spanText.ShouldContain(token, Case.Sensitive, $"the span of {d} should hold '{token}'");
        span.EndLinePosition.ShouldBe(PositionOf(source, d.Location.SourceSpan.End), "line span and text span must agree");

        var message = d.GetMessage(CultureInfo.InvariantCulture);
        foreach (var word in hintWords) message.ShouldContain(word, Case.Sensitive, $"fix hint of {id}");
        return d;
    }

    static Microsoft.CodeAnalysis.Text.LinePosition PositionOf(string source, int offset)
    {
        int line = 0, start = 0;
        for (int i = 0; i < offset; i++)
            if (source[i] == '\n') { line++; start = i + 1; }
        return new(line, offset - start);
    }

    // ---- the table ----

    [Fact]
    public void Descriptor_ids_are_unique_sequential_and_released()
    {
        var all = Descriptors();
        var ids = all.Select(d => d.Id).ToList();
        ids.ShouldBeUnique();
        ids.ShouldAllBe(id => id.StartsWith("DSL") && id.Length == 7 && id.Substring(3).All(char.IsDigit));

        // DSL0001, DSL0002, … in the order listed, with DSL0099 (internal error) last.
        var numbers = ids.Select(id => int.Parse(id.Substring(3), CultureInfo.InvariantCulture)).ToList();
        numbers[^1].ShouldBe(99);
        numbers.Take(numbers.Count - 1).ShouldBe(Enumerable.Range(1, numbers.Count - 1));

        foreach (var d in all)
        {
            d.Category.ShouldBe("Dsl.Model");
            d.DefaultSeverity.ShouldBe(DiagnosticSeverity.Error);
            d.IsEnabledByDefault.ShouldBeTrue();
            d.Title.ToString(CultureInfo.InvariantCulture).ShouldNotBeNullOrWhiteSpace();
            d.MessageFormat.ToString(CultureInfo.InvariantCulture).ShouldNotBeNullOrWhiteSpace();
        }

        // Every rule is in the unshipped release file, with the same category, severity and title.
        var rows = File.ReadAllLines(GeneratorFile("AnalyzerReleases.Unshipped.md"))
            .Where(l => l.StartsWith("DSL"))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(c => c[0]);
        foreach (var d in all)
        {
            rows.ShouldContainKey(d.Id, $"{d.Id} is missing from AnalyzerReleases.Unshipped.md");
            rows[d.Id][1].ShouldBe(d.Category);
            rows[d.Id][2].ShouldBe(d.DefaultSeverity.ToString());
            rows[d.Id][3].ShouldBe(d.Title.ToString(CultureInfo.InvariantCulture));
        }
        rows.Keys.ShouldBe(ids, ignoreOrder: true, "the release file lists no rule the generator lacks");
    }

    static string GeneratorFile(string name, [CallerFilePath] string file = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, "..", "..", "Generator", name));

    [Fact]
    public void Every_descriptor_but_the_internal_error_has_a_test()
    {
        // Keep this list in step with the [Fact]s and [Theory]s below (one or more per id).
        string[] covered = ["DSL0001", "DSL0002", "DSL0003", "DSL0004", "DSL0005", "DSL0006", "DSL0007", "DSL0008",
            "DSL0009", "DSL0010", "DSL0011", "DSL0012", "DSL0013", "DSL0014", "DSL0015", "DSL0016", "DSL0017"];
        Descriptors().Select(d => d.Id).Where(id => id != "DSL0099").ShouldBe(covered, ignoreOrder: true);
    }

    // ---- a valid model ----

    [Fact]
    public void Valid_models_have_no_diagnostics_and_compile()
    {
        foreach (var source in ModelSources.All.Append(Body("""
                    var h = Ops.MatMul(x, weight, transposeB: true) + bias;
                    for (int i = 0; i < n; i++) { h = Ops.Relu(h) * 0.5; }
                    if (flag) { h = h + x; } else { h = h - x; }
                    return h;
            """)))
        {
            var (sources, diagnostics, compile) = GeneratorRun.Run(source);
            diagnostics.ShouldBeEmpty(Describe(diagnostics));
            compile.ShouldBeEmpty(Describe(compile));
            sources.ShouldNotBeEmpty();
        }
    }

    /// <summary>Forward bodies (in model M) that must produce no diagnostic and generate code that compiles.</summary>
    static void AssertAcceptedAndCompiles(string members)
    {
        var (sources, diagnostics, compile) = GeneratorRun.Run(Model(members));
        diagnostics.ShouldBeEmpty(Describe(diagnostics));
        compile.ShouldBeEmpty(Describe(compile));
        sources.ShouldNotBeEmpty();
    }

    const string SubModel = """
        }

        [Model]
        public partial class Sub
        {
            [Forward]
            public Tensor Forward(Tensor x) => x + x;
        """;

    [Theory]
    [InlineData("var y = x; y = y * y; return y + x;")]
    [InlineData("Tensor a = x, b; b = a + a; return b;")]
    [InlineData("var s = Ops.Sum(x); x = x / s; x = x - 1.0; x = 2.0 / x; return x;")]
    [InlineData("for (int i = 0, j = 1; i < n; i++, j++) { x = x * j; } return x;")]
    [InlineData("for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) x = x + x; return x;")]
    [InlineData("var h = x; for (int i = 0; i < n; i++) { var t = h * 2.0; h = t; } for (int i = 0; i < n; i++) { var t = h * 3.0; h = t; } return h;")]
    [InlineData("if (flag) x = x + x; else if (n > 1) x = x * x; return x;")]
    [InlineData("if (x.Rank > 1 && x.Shape == weight.Shape) { x = x + weight; } return x;")]
    [InlineData("var label = \"a\"; label += \"b\"; return x;")]
    [InlineData("var mask = Ops.Greater(x, weight); return x * mask;")]
    [InlineData("x = Ops.MatMul(transposeB: true, b: weight, a: x); return x;")]
    [InlineData("x += x; x -= bias; x *= x; x /= x; return x;")]
    public void Supported_forward_bodies_compile(string body) => AssertAcceptedAndCompiles($$"""
            [Forward]
            public Tensor Forward(Tensor x) { {{body}} }
        """);

    [Theory]
    [InlineData("[Forward] public Tensor Forward(Tensor x, Tensor y) => x * y + x;")]
    [InlineData("[Forward] public Tensor Forward(Tensor x, int k = 2) => x * k;")]
    [InlineData("[Forward] public Tensor? Forward(Tensor? x) => x;")]
    [InlineData("[Forward, Differentiable] public Tensor Forward(Tensor x) => x + x;")]
    [InlineData("[Forward] public Tensor Forward(Tensor x) => Scale(x, 2.0); [Differentiable] Tensor Scale(Tensor x, double k) => x * k;")]
    [InlineData("[Forward] public Tensor Forward(Tensor x) { var (a, b) = Pair(x); return a + b; } [Differentiable] (Tensor, Tensor) Pair(Tensor x) => (x, x);")]
    [InlineData("[Module] readonly Sub sub = new(); [Forward] public Tensor Forward(Tensor x) { if (flag) { x = sub.Forward(x); } for (int i = 0; i < n; i++) { x = sub.Forward(x) + x; } return x; }" + SubModel)]
    // Verbatim identifiers: keywords (@in, @base) and plain names spelled both ways (@y, y) are one variable.
    [InlineData("[Forward] public Tensor Forward(Tensor @in) { var @out = @in * 2.0; @out = @out + @in; var @y = @out; return y; }")]
    [InlineData("[Module] readonly Sub[] subs = [new Sub()]; [Forward] public Tensor Forward(Tensor x) { foreach (var @base in subs) { x = @base.Forward(x) + x; } return x; }" + SubModel)]
    public void Supported_members_compile(string members) => AssertAcceptedAndCompiles("    " + members);

    /// <summary>Bodies that once failed to compile (found by review); each is valid DSL.</summary>
    [Theory]
    // Usings of the model file are not copied to the generated file: verbatim statements lose them (CS0246/CS0103).
    [InlineData("[Forward] public Tensor Forward(Tensor x) { var list = new List<int> { 1 }; foreach (int v in list) { x = x + v; } return x; }")]
    [InlineData("[Forward] public Tensor Forward(Tensor x) { if (n < 0) throw new ArgumentException(\"n\"); return x; }")]
    // A non-tensor local shadowing the name of a tensor local of another block (tensor locals are hoisted): CS0136.
    [InlineData("[Forward] public Tensor Forward(Tensor x) { if (flag) { var t = Ops.Relu(x); x = t; } else { int t = 3; } return x; }")]
    // A submodule called through a local variable: Backward re-reads the receiver, out of scope there (CS0103).
    [InlineData("[Module] readonly Sub[] subs = [new Sub()]; [Forward] public Tensor Forward(Tensor x) { var layer = subs[0]; x = layer.Forward(x); return x; }" + SubModel)]
    // A verbatim identifier parameter is not recognised as a tensor variable (DSL0008 "the tensor '@class'").
    [InlineData("[Forward] public Tensor Forward(Tensor @class) => @class + @class;")]
    // A return at the end of a trailing block is reported as DSL0014.
    [InlineData("[Forward] public Tensor Forward(Tensor x) { x = x + x; { return x; } }")]
    // A partial [Forward] method: the defining declaration has no body, so DSL0012 'has no body' although it is implemented.
    [InlineData("[Forward] public partial Tensor Forward(Tensor x); public partial Tensor Forward(Tensor x) => x + x;")]
    public void Members_that_once_failed_now_compile(string members) => AssertAcceptedAndCompiles("    " + members);

    [Theory]
    [InlineData("int i; for (i = 0; i < n; i++) x = x + x; //!")]
    [InlineData("int i = 0; for (; i < n; i++) { x = Ops.Relu(x); } //!")]
    public void For_loops_without_a_declared_variable_are_rejected_not_miscompiled(string statement) =>
        Expect("DSL0008", Body("        " + statement + "\n        return x;"), "for", "declared loop variable");

    [Theory]
    [InlineData("var tape = x; //!", "tape")]
    [InlineData("var t0 = x + x; //!", "t0")]
    [InlineData("var dv_y = x; //!", "dv_y")]
    public void DSL0015_names_reserved_by_generated_code(string statement, string name) =>
        Expect("DSL0015", Body("        " + statement + "\n        return x;"), name, $"'{name}'", "rename the variable");

    // ---- one test per descriptor ----

    [Fact]
    public void DSL0001_model_not_partial() => Expect("DSL0001", Prelude + """
        [Model]
        public class Plain //!
        {
            [Forward]
            public Tensor Forward(Tensor x) => x;
        }
        """, "Plain", "'Plain'", "add the 'partial' modifier");

    [Fact]
    public void DSL0002_no_forward() => Expect("DSL0002", Prelude + """
        [Model]
        public partial class NoForward //!
        {
            public Tensor Run(Tensor x) => x;
        }
        """, "NoForward", "'NoForward'", "mark the method", "with [Forward]");

    [Theory]
    [InlineData("while", "while (n > 3) { x = x + x; } //!")]
    [InlineData("do", "do { x = x + x; } while (n > 3); //!")]
    [InlineData("try", "try { x = x + x; } catch (Exception) { } //!")]
    [InlineData("goto", "goto done; //!\n        done: return x;")]
    [InlineData("switch", "switch (n) { case 1: x = x + x; break; } //!")]
    [InlineData("lock", "lock (this) { x = x + x; } //!")]
    [InlineData("using", "using (new System.IO.MemoryStream()) { x = x + x; } //!")]
    [InlineData("local function", "Tensor Twice(Tensor t) => t + t; //!")]
    [InlineData("break", "for (int i = 0; i < n; i++) { break; //!\n        }")]
    [InlineData("continue", "foreach (var i in new[] { 1 }) { continue; //!\n        }")]
    [InlineData("labeled", "x = x + x;\n        done: //!\n        x = x + x;")]
    public void DSL0003_unsupported_statement(string kind, string statement)
    {
        var keyword = kind switch { "local function" => "Twice", "labeled" => "done:", _ => kind };
        var returnLine = statement.Contains("return") ? "" : "\n        return x;";
        var d = Expect("DSL0003", Body("        " + statement + returnLine), keyword,
            $"'{kind}' statements are not supported", "for/foreach loops", "if/else on non-tensor values");
        d.GetMessage(CultureInfo.InvariantCulture).ShouldStartWith($"'{kind}'");
    }

    // DSL0004 is reported for assignable tensor fields; a readonly field (how parameters are declared)
    // gets CS0191 and, from the generator, DSL0008 instead: see Readonly_tensor_field_assigned_reports_DSL0004.
    [Fact]
    public void DSL0004_tensor_field_assigned() => Expect("DSL0004", Model("""
            [Buffer] Tensor state = null!;

            [Forward]
            public Tensor Forward(Tensor x)
            {
                state = x + x; //!
                return x;
            }
        """), "state", "'state'", "set in the constructor", "use a local variable instead");

    [Fact]
    public void DSL0004_tensor_field_assigned_through_this() => Expect("DSL0004", Model("""
            Tensor cache = null!;

            [Forward]
            public Tensor Forward(Tensor x)
            {
                this.cache = x; //!
                return x;
            }
        """), "cache", "'cache'", "use a local variable instead");

    [Fact]
    public void Readonly_tensor_field_assigned_reports_DSL0004() => Expect("DSL0004", Body("""
                weight = x + x; //!
                return x;
        """), "weight", "'weight'", "use a local variable instead");

    [Fact]
    public void DSL0005_module_not_a_model() => Expect("DSL0005", Model("""
            [Module] readonly Helper helper = new(); //!

            [Forward]
            public Tensor Forward(Tensor x) => x;
        }

        public class Helper
        {
        """), "helper", "'helper'", "'Diag.Helper'", "mark that class with [Model]");

    [Fact]
    public void DSL0005_module_list_of_non_models() => Expect("DSL0005", Model("""
            [Module] readonly List<Tensor> layers = new(); //!

            [Forward]
            public Tensor Forward(Tensor x) => x;
        """), "layers", "'layers'", "array/List", "mark that class with [Model]");

    [Fact]
    public void DSL0006_recursion_through_helpers() => Expect("DSL0006", Model("""
            [Forward]
            public Tensor Forward(Tensor x) => Ping(x);

            [Differentiable]
            Tensor Ping(Tensor x) => Pong(x); //!

            [Differentiable]
            Tensor Pong(Tensor x) => Ping(x) + x;
        """), "Ping", "'Ping' calls itself", "use a loop over modules");

    [Fact]
    public void DSL0006_forward_calls_itself() => Expect("DSL0006", Model("""
            [Forward]
            public Tensor Forward(Tensor x) => this.Forward(x); //!
        """), "Forward", "'Forward' calls itself", "recursion cannot be unrolled", "use a loop over modules");

    [Fact]
    public void DSL0007_call_without_vjp_rule() => Expect("DSL0007", Model("""
            [Forward]
            public Tensor Forward(Tensor x)
            {
                var y = Scale(x); //!
                return y;
            }

            static Tensor Scale(Tensor t) => t;
        """), "Scale(x)", "'M.Scale'", "mark it [Differentiable]", "[NonDifferentiable]");

    [Fact]
    public void DSL0007_instance_helper_without_attribute() => Expect("DSL0007", Model("""
            [Forward]
            public Tensor Forward(Tensor x) => Double(x) + x; //!

            Tensor Double(Tensor t) => t + t;
        """), "Double(x)", "'M.Double'", "[Differentiable]", "[NonDifferentiable]");

    [Fact]
    public void DSL0008_lambda_capturing_a_tensor() => Expect("DSL0008", Body("""
                Func<Tensor> later = () => x + x; //!
                return x;
        """), "() => x + x", "a lambda is not supported", "write it as separate statements with Ops.* calls");

    [Fact]
    public void DSL0008_conditional_between_tensors() => Expect("DSL0008", Body("""
                var y = flag ? x : Ops.Relu(x); //!
                return y;
        """), "flag ? x : Ops.Relu(x)", "a conditional (?:) choosing between tensors", "write it as separate statements");

    [Fact]
    public void DSL0008_tensor_call_in_a_non_tensor_expression() => Expect("DSL0008", Body("""
                var name = Ops.Relu(x).ToString(); //!
                return x;
        """), "Ops.Relu(x)", "inside a non-tensor expression", "Ops.* calls");

    [Fact]
    public void DSL0009_condition_reads_tensor_data() => Expect("DSL0009", Model("""
            [Forward]
            public Tensor Forward(Tensor x)
            {
                if (IsLarge(x)) //!
                {
                    x = x + x;
                }
                return x;
            }

            static bool IsLarge(Tensor t) => true;
        """), "IsLarge(x)", "'IsLarge(x)' reads tensor values", "depend on configuration", "Ops.Maximum/masks");

    [Fact]
    public void DSL0009_loop_condition_reads_tensor_data() => Expect("DSL0009", Model("""
            [Forward]
            public Tensor Forward(Tensor x)
            {
                for (int i = 0; i < Count(x); i++) //!
                {
                    x = x + x;
                }
                return x;
            }

            static int Count(Tensor t) => 1;
        """), "Count(x)", "reads tensor values", "use Ops.Maximum/masks for data-dependent choices");

    [Fact]
    public void DSL0010_two_forwards() => Expect("DSL0010", Model("""
            [Forward]
            public Tensor Forward(Tensor x) => x;

            [Forward]
            public Tensor Other(Tensor x) => x + x; //!
        """), "Other", "'M' has several [Forward] methods", "keep one", "[Differentiable] helpers");

    [Fact]
    public void DSL0011_parameter_not_a_tensor() => Expect("DSL0011", Model("""
            [Parameter] readonly float[] scale = []; //!

            [Forward]
            public Tensor Forward(Tensor x) => x;
        """), "scale", "Field 'scale' is marked [Parameter] but has type 'float[]'", "declare it as Dsl.Tensor");

    [Fact]
    public void DSL0011_buffer_not_a_tensor() => Expect("DSL0011", Model("""
            [Buffer(Init.Ones)] readonly double running; //!

            [Forward]
            public Tensor Forward(Tensor x) => x;
        """), "running", "[Buffer] but has type 'double'", "declare it as Dsl.Tensor");

    [Theory]
    [InlineData("readonly M inner; //!", "'Diag.M'")]
    [InlineData("readonly M[] layers; //!", "'Diag.M[]'")]
    [InlineData("readonly List<M> layers; //!", "'System.Collections.Generic.List<Diag.M>'")]
    public void DSL0016_model_field_without_Module(string declaration, string type) => Expect("DSL0016", Model($$"""
            {{declaration}}

            [Forward]
            public Tensor Forward(Tensor x) => x;
        """), declaration.Split(' ')[2].TrimEnd(';'), type, "has no [Module] attribute", "mark it [Module]");

    [Theory]
    [InlineData("scale", "Param", "Parameter")]
    [InlineData("running", "BufferOf", "Buffer")]
    public void DSL0017_tensor_from_Param_without_attribute(string field, string helper, string attribute) => Expect("DSL0017", Prelude + $$"""
        [Model]
        public partial class M
        {
            readonly Tensor {{field}}; //!

            public M() { this.{{field}} = {{helper}}(2); }

            [Forward]
            public Tensor Forward(Tensor x) => x * {{field}};
        }
        """, field, $"'{field}' is assigned {helper}(...)", $"mark it [{attribute}]");

    [Fact]
    public void A_plain_tensor_field_not_from_Param_is_fine()
    {
        var (_, diagnostics, _) = GeneratorRun.Run(Prelude + """
            [Model]
            public partial class M
            {
                readonly Tensor? cached;
                [Forward]
                public Tensor Forward(Tensor x) => x;
            }
            """);
        diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty(Describe(diagnostics));
    }

    [Theory]
    [InlineData("public int Forward(Tensor x) => 1; //!", "does not return a Tensor")]
    [InlineData("public Tensor Forward(int k) => weight; //!", "takes no Tensor")]
    [InlineData("public static Tensor Forward(Tensor x) => x; //!", "is static")]
    [InlineData("public Tensor Forward<T>(Tensor x) => x; //!", "is generic")]
    [InlineData("public Tensor Forward(ref Tensor x) => x; //!", "ref/out parameters")]
    [InlineData("public extern Tensor Forward(Tensor x); //!", "has no body")]
    public void DSL0012_unsupported_forward_signature(string declaration, string reason) =>
        Expect("DSL0012", Model("    [Forward]\n    " + declaration), "Forward", reason,
            "takes at least one Tensor and returns a Tensor or a tuple of Tensors");

    [Fact]
    public void DSL0012_unsupported_helper_signature() => Expect("DSL0012", Model("""
            [Forward]
            public Tensor Forward(Tensor x) => Pick(x, 0);

            [Differentiable]
            (Tensor, int) Pick(Tensor x, int k) => (x, k); //!
        """), "Pick", "'Pick' does not return a Tensor or a tuple of Tensors", "a [Forward] or [Differentiable] helper");

    [Fact]
    public void DSL0012_unresolved_overload() => Expect("DSL0012", Body("""
                Tensor y = Ops.Relu(x, x, x); //!
                return y;
        """), "Ops.Relu(x, x, x)", "could not be resolved to one overload", "takes at least one Tensor");

    [Fact]
    public void DSL0013_nested_model() => Expect("DSL0013", Prelude + """
        public partial class Outer
        {
            [Model]
            public partial class Inner //!
            {
                [Forward]
                public Tensor Forward(Tensor x) => x;
            }
        }
        """, "Inner", "'Inner' is nested or generic", "non-generic top-level classes");

    [Fact]
    public void DSL0013_generic_model() => Expect("DSL0013", Prelude + """
        [Model]
        public partial class Generic<T> //!
        {
            [Forward]
            public Tensor Forward(Tensor x) => x;
        }
        """, "Generic", "'Generic' is nested or generic", "declare models as non-generic top-level classes");

    [Fact]
    public void DSL0014_return_inside_a_branch() => Expect("DSL0014", Body("""
                if (flag)
                {
                    return x + x; //!
                }
                return x;
        """), "return x + x;", "returns inside a loop or branch", "assign the result to a variable and return it once at the end");

    [Fact]
    public void DSL0014_return_inside_a_loop() => Expect("DSL0014", Body("""
                for (int i = 0; i < n; i++)
                {
                    return x; //!
                }
                return x;
        """), "return x;", "return it once at the end");

    [Fact]
    public void DSL0014_return_before_the_end() => Expect("DSL0014", Body("""
                return x; //!
                return x + x;
        """), "return x;", "return it once at the end");

    // ---- all at once ----

    /// <summary>Several errors in two models: every one is reported, in a stable order, none twice.</summary>
    [Fact]
    public void Multi_error_source_snapshot()
    {
        var source = Prelude + """
            [Model]
            public partial class Broken
            {
                [Parameter] Tensor weight;
                [Parameter] readonly int count;
                [Buffer] readonly string label = "";
                [Module] readonly Tensor sub;
                readonly bool flag;

                public Broken() { weight = Param(2); }

                [Forward]
                public Tensor Forward(Tensor x)
                {
                    while (flag) { }
                    weight = x;
                    var y = flag ? x : weight;
                    Func<int> f = () => 1;
                    if (Check(x)) { return x; }
                    lock (this) { }
                    var z = Unknown(x);
                    return y;
                }

                static bool Check(Tensor t) => true;
                static Tensor Unknown(Tensor t) => t;
            }

            [Model]
            public class AlsoBroken
            {
                [Forward]
                public Tensor Forward(Tensor x) => x;
            }

            [Model]
            public partial class Twice
            {
                [Forward]
                public Tensor A(Tensor x) => x;

                [Forward]
                public Tensor B(Tensor x) => x;
            }
            """;
        var (_, diagnostics, _) = GeneratorRun.Run(source);
        diagnostics.ShouldNotContain(d => d.Id == "DSL0099");
        var text = new StringBuilder();
        foreach (var d in diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            var p = d.Location.GetLineSpan().StartLinePosition;
            text.Append(CultureInfo.InvariantCulture, $"{d.Id} {p.Line + 1}:{p.Character + 1} {d.GetMessage(CultureInfo.InvariantCulture)}\n");
        }
        Snapshot.Verify(text.ToString());
    }
}
