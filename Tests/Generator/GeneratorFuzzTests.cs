using System.Collections.Immutable;
using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Tests.Generator;

/// <summary>
/// Runs the generator like <see cref="GeneratorDriver.Run"/>, but with the compilation's parse options
/// (GeneratorDriver.NewDriver() parses generated files with default options, which differ from the
/// Preview options of GeneratorDriver.Compile, so updating the compilation throws "Inconsistent language versions").
/// </summary>
internal static class GeneratorRun
{
    /// <summary>A step-tracking driver, run once over the compilation.</summary>
    public static Microsoft.CodeAnalysis.GeneratorDriver Driver(Compilation compilation, out Compilation output) =>
        GeneratorDriver.NewDriver()
            .WithUpdatedParseOptions(compilation.SyntaxTrees.First().Options)
            .RunGeneratorsAndUpdateCompilation(compilation, out output, out _);

    /// <summary>Generated sources, generator diagnostics and the compiler's errors of the result.</summary>
    public static (ImmutableArray<GeneratedSourceResult> Sources, ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompileDiagnostics) Run(params string[] sources)
    {
        var result = Driver(GeneratorDriver.Compile(sources), out var output).GetRunResult();
        var run = result.Results.ShouldHaveSingleItem();
        run.Exception.ShouldBeNull();
        var compile = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        return (GeneratorDriver.ModelFiles(run), result.Diagnostics, compile);
    }
}

/// <summary>Valid model sources: the fuzz seeds, and the no-diagnostics baseline of the diagnostic tests.</summary>
internal static class ModelSources
{
    /// <summary>Dense layers, a module array, a [Differentiable] helper, foreach/for loops, if/else on configuration.</summary>
    public const string Mlp = """
        using System.Collections.Generic;
        using Dsl;

        namespace Fuzz.Mlp;

        [Model]
        public partial class Dense
        {
            [Parameter(Init.XavierUniform)] readonly Tensor weight;
            [Parameter(Init.Zeros)] readonly Tensor bias;

            public Dense(int inFeatures, int outFeatures)
            {
                weight = Param(outFeatures, inFeatures);
                bias = Param(outFeatures);
            }

            [Forward]
            public Tensor Forward(Tensor x) => Ops.MatMul(x, weight, transposeB: true) + bias;
        }

        [Model]
        public partial class Mlp
        {
            [Module] readonly Dense input;
            [Module] readonly Dense[] hidden;
            [Module] readonly Dense output;
            readonly bool residual;
            readonly int repeats;

            public Mlp(int features, int width, int classes, int depth, bool residual)
            {
                input = new Dense(features, width);
                hidden = new Dense[depth];
                for (int i = 0; i < depth; i++) hidden[i] = new Dense(width, width);
                output = new Dense(width, classes);
                this.residual = residual;
                repeats = 2;
            }

            [Forward]
            public Tensor Forward(Tensor x)
            {
                // project to the hidden width
                var h = Ops.Relu(input.Forward(x));
                foreach (var layer in hidden)
                {
                    var y = Activate(layer.Forward(h));
                    if (residual) h = h + y;
                    else h = y;
                }
                for (int r = 0; r < repeats; r++)
                {
                    h = h * 0.5;
                }
                var logits = output.Forward(h);
                return logits;
            }

            [Differentiable]
            Tensor Activate(Tensor z) => Ops.Tanh(z) + Ops.Sigmoid(z) * z;
        }
        """;

    /// <summary>Buffers, a tuple-returning [Forward], deconstruction, compound assignment, shape conditions.</summary>
    public const string Norm = """
        using System;
        using Dsl;

        namespace Fuzz.Norm;

        [Model]
        public partial class Norm
        {
            [Parameter(Init.Ones)] readonly Tensor gamma;
            [Parameter(Init.Zeros)] readonly Tensor beta;
            [Buffer(Init.Zeros)] readonly Tensor runningMean;
            readonly double eps = 1e-5;

            public Norm(int features)
            {
                gamma = Param(features);
                beta = Param(features);
                runningMean = BufferOf(features);
            }

            [Forward]
            public (Tensor Y, Tensor Mean) Forward(Tensor x, Tensor shift)
            {
                var mean = Ops.Mean(x, -1, keepDims: true);
                var centered = x - mean;
                var variance = Ops.Mean(centered * centered, -1, keepDims: true);
                var (scaled, stat) = Scale(centered, variance);
                if (x.Rank > 1)
                {
                    scaled += shift;
                }
                scaled = scaled * gamma + beta;
                int unused = 3;
                return (scaled, stat - Ops.StopGradient(runningMean));
            }

            [Differentiable]
            (Tensor, Tensor) Scale(Tensor c, Tensor v)
            {
                var r = Ops.Rsqrt(v + eps);
                return (c * r, Ops.Mean(v, 0));
            }
        }
        """;

    /// <summary>A model list, a single submodule, an expression-bodied forward over a helper chain.</summary>
    public const string Stack = """
        using System.Collections.Generic;
        using Dsl;

        namespace Fuzz.Stack;

        [Model]
        internal partial class Block
        {
            [Parameter(Init.XavierUniform)] readonly Tensor w;

            public Block(int n) { w = Param(n, n); }

            [Forward]
            public Tensor Forward(Tensor x)
            {
                var y = Ops.MatMul(x, w);
                y = Ops.Gelu(y);
                return x + y;
            }
        }

        [Model]
        internal partial class Stack
        {
            [Module] readonly List<Block> blocks = new();
            [Module] readonly Block head;
            readonly int layers;

            public Stack(int n, int layers)
            {
                this.layers = layers;
                for (int i = 0; i < layers; i++) blocks.Add(new Block(n));
                head = new Block(n);
            }

            [Forward]
            public Tensor Forward(Tensor x) => Head(Body(x));

            [Differentiable]
            Tensor Body(Tensor x)
            {
                var h = x;
                for (int i = 0; i < layers; i++)
                {
                    h = blocks[i].Forward(h);
                }
                return h;
            }

            [Differentiable]
            Tensor Head(Tensor h) => Ops.Softmax(head.Forward(-h), -1);
        }
        """;

    /// <summary>The three seeds.</summary>
    public static readonly string[] All = [Mlp, Norm, Stack];
}

/// <summary>
/// Random and mutated model sources through the generator: whatever the input, no exception escapes
/// the driver and no DSL0099 (internal error) is reported. Seeds are reproducible: a failure prints
/// the CsCheck seed, pass it as <c>seed:</c> to replay.
/// </summary>
public class GeneratorFuzzTests
{
    /// <summary>Statements a [Forward] body may or may not hold (x is a Tensor parameter in every seed).</summary>
    static readonly string[] Statements =
    [
        // supported
        "var q = Ops.Relu(x);",
        "x = x + x;",
        "x = x * 2.0;",
        "x -= x;",
        "var q2 = -x;",
        "int n = 3;",
        "var shape = x.Shape;",
        "if (x.Rank > 2) { x = Ops.Tanh(x); } else { x = Ops.Sigmoid(x); }",
        "for (int k = 0; k < 2; k++) { x = x + x; }",
        "foreach (var k in new[] { 1, 2 }) { x = x * 1.0; }",
        "throw new System.InvalidOperationException();",
        "var (a1, a2) = (x, x);",
        ";",
        "{ var inner = x; }",
        "Ops.Exp(x);",
        "var st = Ops.StopGradient(x);",
        // unsupported
        "while (true) { }",
        "do { x = x + x; } while (false);",
        "try { x = x + x; } catch { }",
        "goto end; end: ;",
        "switch (1) { case 1: break; }",
        "lock (this) { }",
        "using (var ms = new System.IO.MemoryStream()) { }",
        "using var ms2 = new System.IO.MemoryStream();",
        "Tensor Local(Tensor t) => t; ",
        "System.Func<Tensor> f = () => x;",
        "var c = true ? x : x;",
        "if (x == null) { }",
        "return x;",
        "break;",
        "continue;",
        "yield return x;",
        "unsafe { }",
        "checked { x = x + x; }",
        "fixed (int* p = new int[1]) { }",
        "x = Identity(x);",
        "x = Forward(x);",
        "x = this.Forward(x);",
        "bias = x;",
        "this.weight = x;",
        "x = x % x;",
        "x = x[0];",
        "x = x ?? x;",
        "x = (Tensor)x;",
        "x = new Tensor();",
        "x = default;",
        "x = null!;",
        "var arr = new[] { x, x };",
        "var s = $\"{x}\";",
        "var tup = (x, 1);",
        "(x, x) = (x, x);",
        "(var u1, _) = (x, x);",
        "x = Ops.Concat(0, x, x);",
        "x = Ops.Reshape(x, 1, 2);",
        "x = Ops.Mean(x);",
        "x.Name?.ToString();",
        "x = x.Equals(x) ? x : x;",
        "for (var t = x; ; ) { }",
        "foreach (var t in new[] { x }) { }",
        "for (int k = 0; Ops.Sum(x) == null; k++) { }",
        "x = Ops.MatMul(transposeB: true, b: x, a: x);",
        "await System.Threading.Tasks.Task.Yield();",
        "x = x switch { _ => x };",
        "x = x with { };",
        "x ??= x;",
        "x++;",
        "x = sizeof(int) > 0 ? x : x;",
        "x = nameof(x) == \"x\" ? x : x;",
        "ref Tensor r = ref x;",
        "x = (x);",
        "x = ((x + x));",
        "var w2 = weight;",
        "x = weight.Transpose();",
        "#pragma warning disable",
        "/* comment */",
        "#if DEBUG",
        "#endif",
        "}",
        "{",
        ")",
        "(",
        "@",
        "[Forward]",
    ];

    /// <summary>Members a model class may or may not hold.</summary>
    static readonly string[] Members =
    [
        "[Parameter] readonly Tensor extra;",
        "[Parameter] readonly float[] badParam;",
        "[Buffer(Init.Ones)] readonly Tensor buf;",
        "[Buffer] int notTensor;",
        "[Module] readonly string notModel;",
        "[Module] readonly object obj;",
        "[Module] readonly System.Collections.Generic.List<Tensor> tensors;",
        "[Parameter, Buffer] readonly Tensor both;",
        "[Parameter, Module] readonly Tensor mixed;",
        "[Forward] public Tensor Other(Tensor x) => x;",
        "[Forward] public Tensor Run(Tensor x) => x;",
        "[Forward] public static Tensor Static(Tensor x) => x;",
        "[Forward] public int Count(Tensor x) => 1;",
        "[Forward] public Tensor NoTensor(int n) => null!;",
        "[Forward] public T Gen<T>(Tensor x) => default!;",
        "[Forward] public Tensor WithRef(ref Tensor x) => x;",
        "[Forward] public partial Tensor Part(Tensor x);",
        "[Forward] public abstract Tensor Abs(Tensor x);",
        "[Forward] extern Tensor Ext(Tensor x);",
        "[Differentiable] Tensor Helper(Tensor x) => Helper(x);",
        "[Differentiable] Tensor H1(Tensor x) => H2(x); [Differentiable] Tensor H2(Tensor x) => H1(x);",
        "[Differentiable] static Tensor StaticHelper(Tensor x) => x;",
        "[Differentiable] Tensor NoBody(Tensor x);",
        "[Differentiable] (Tensor, Tensor) Pair(Tensor x) => (x, x);",
        "[Differentiable] (Tensor, int) Mixed(Tensor x) => (x, 1);",
        "[NonDifferentiable] Tensor Mask(Tensor x) => x;",
        "Tensor Identity(Tensor x) => x;",
        "static Tensor Scale(Tensor x) => x;",
        "[Model] partial class Nested { [Forward] public Tensor Forward(Tensor x) => x; }",
        "[Model] class NotPartial { }",
        "public Tensor Prop => null!;",
        "Tensor field2;",
        "event System.Action E;",
        "~Model() { }",
    ];

    /// <summary>Identifiers to substitute for random tokens.</summary>
    static readonly string[] Identifiers =
        ["x", "y", "h", "weight", "bias", "Tensor", "Ops", "Forward", "Model", "partial", "static", "var", "this", "null", "_", "@class", "Dsl", "global", "Init", "Param", "tape", "t0", "s0", "d_out", "grads"];

    /// <summary>One mutation: kind and three random numbers picking lines, tokens or list entries.</summary>
    readonly record struct Mutation(int Kind, int A, int B, int C);

    static readonly Gen<Mutation> GenMutation = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 10_000], Gen.Int[0, 10_000], Gen.Int[0, 10_000],
        (k, a, b, c) => new Mutation(k, a, b, c));

    /// <summary>Applies a mutation to the source text (line or token edits, inserted statements or members).</summary>
    static string Mutate(string source, Mutation m)
    {
        var lines = source.Replace("\r\n", "\n").Split('\n').ToList();
        int L(int r) => r % lines.Count;
        switch (m.Kind)
        {
            case 0: // delete a line
                if (lines.Count > 1) lines.RemoveAt(L(m.A));
                break;
            case 1: // duplicate a line
                lines.Insert(L(m.A), lines[L(m.A)]);
                break;
            case 2: // swap two lines
                (lines[L(m.A)], lines[L(m.B)]) = (lines[L(m.B)], lines[L(m.A)]);
                break;
            case 3: // insert a statement after a line
            case 4:
                lines.Insert(L(m.A) + 1, Statements[m.B % Statements.Length]);
                break;
            case 5: // insert a member after a line
                lines.Insert(L(m.A) + 1, Members[m.B % Members.Length]);
                break;
            default: // token edits
                return MutateToken(string.Join("\n", lines), m);
        }
        return string.Join("\n", lines);
    }

    static string MutateToken(string source, Mutation m)
    {
        var tokens = CSharpSyntaxTree.ParseText(source).GetRoot().DescendantTokens().Where(t => t.Span.Length > 0).ToList();
        if (tokens.Count == 0) return source;
        var t = tokens[m.A % tokens.Count];
        var other = tokens[m.B % tokens.Count];
        string replacement = m.Kind switch
        {
            6 => "",                                               // delete a token
            7 => t.Text + " " + t.Text,                            // duplicate a token
            8 => other.Text,                                       // replace by another token of the source
            _ => m.C % 2 == 0                                      // replace by an identifier: a meaningful one or a fresh one
                ? Identifiers[m.C / 2 % Identifiers.Length]
                : "v" + m.C.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
        };
        return source.Substring(0, t.SpanStart) + replacement + source.Substring(t.Span.End);
    }

    /// <summary>Runs the generator and checks that it neither throws nor reports an internal error.</summary>
    static void AssertGeneratorSurvives(string source)
    {
        var result = GeneratorRun.Driver(GeneratorDriver.Compile(source), out _).GetRunResult();
        var run = result.Results.ShouldHaveSingleItem();
        if (run.Exception is not null)
            throw new Xunit.Sdk.XunitException($"Generator threw {run.Exception}\n--- source ---\n{source}");
        var internalErrors = result.Diagnostics.Where(d => d.Id == "DSL0099").ToList();
        if (internalErrors.Count > 0)
            throw new Xunit.Sdk.XunitException($"DSL0099: {internalErrors[0].GetMessage()}\n--- source ---\n{source}");
    }

    static readonly Gen<string> MutatedSource =
        Gen.Select(Gen.Int[0, ModelSources.All.Length - 1], GenMutation.Array[1, 6],
            (seed, mutations) => mutations.Aggregate(ModelSources.All[seed], Mutate));

    /// <summary>A random model: random fields and members, a [Forward] of random statements.</summary>
    static readonly Gen<string> RandomSource =
        Gen.Select(Gen.Int[0, Members.Length - 1].Array[0, 3], Gen.Int[0, Statements.Length - 1].Array[0, 8], Gen.Bool, Gen.Bool,
            (members, statements, partialClass, expressionBody) =>
            {
                var s = new StringBuilder();
                s.AppendLine("using System;");
                s.AppendLine("using Dsl;");
                s.AppendLine("namespace Fuzz.Random;");
                s.AppendLine("[Model]");
                s.AppendLine(partialClass ? "public partial class Model" : "public class Model");
                s.AppendLine("{");
                s.AppendLine("    [Parameter(Init.XavierUniform)] readonly Tensor weight;");
                s.AppendLine("    [Parameter] readonly Tensor bias;");
                foreach (var m in members) s.AppendLine("    " + Members[m]);
                s.AppendLine("    [Forward]");
                if (expressionBody && statements.Length == 0)
                {
                    s.AppendLine("    public Tensor Forward(Tensor x) => Ops.MatMul(x, weight) + bias;");
                }
                else
                {
                    s.AppendLine("    public Tensor Forward(Tensor x)");
                    s.AppendLine("    {");
                    foreach (var st in statements) s.AppendLine("        " + Statements[st]);
                    s.AppendLine("        return x;");
                    s.AppendLine("    }");
                }
                s.AppendLine("}");
                return s.ToString();
            });

    [Fact]
    public void Seeds_generate_without_diagnostics()
    {
        foreach (var source in ModelSources.All)
        {
            var (sources, diagnostics, compile) = GeneratorRun.Run(source);
            diagnostics.ShouldBeEmpty(string.Join("\n", diagnostics));
            compile.ShouldBeEmpty(string.Join("\n", compile));
            sources.ShouldNotBeEmpty();
        }
    }

    /// <summary>
    /// Cases per fuzz test: <paramref name="normal"/> in the default suite, or DSL_FUZZ_CASES (the long mode that
    /// bench/soak.sh runs with 10,000).
    /// </summary>
    static int Cases(int normal) =>
        int.TryParse(Environment.GetEnvironmentVariable("DSL_FUZZ_CASES"), System.Globalization.CultureInfo.InvariantCulture, out int n) && n > 0 ? n : normal;

    [Fact]
    public void Mutated_models_never_crash_the_generator() =>
        MutatedSource.Sample(AssertGeneratorSurvives, iter: Cases(250), threads: 2, print: s => s);

    [Fact]
    public void Random_models_never_crash_the_generator() =>
        RandomSource.Sample(AssertGeneratorSurvives, iter: Cases(150), threads: 2, print: s => s);

    [Fact]
    public void Every_statement_and_member_alone_never_crashes_the_generator()
    {
        // Deterministic sweep: each fuzz fragment at least once, in a valid seed.
        foreach (var st in Statements)
            AssertGeneratorSurvives(ModelSources.Stack.Replace("var y = Ops.MatMul(x, w);", st + "\n        var y = Ops.MatMul(x, w);"));
        foreach (var member in Members)
            AssertGeneratorSurvives(ModelSources.Stack.Replace("readonly int layers;", "readonly int layers;\n    " + member));
    }

    [Fact]
    public void Duplicate_model_declarations_report_instead_of_crashing()
    {
        const string source = """
            using Dsl;

            namespace Dup;

            [Model]
            public partial class M
            {
                [Forward]
                public Tensor Forward(Tensor x) => x + x;
            }

            [Model]
            public partial class M
            {
            }
            """;
        var result = GeneratorRun.Driver(GeneratorDriver.Compile(source), out _).GetRunResult();
        result.Results.ShouldHaveSingleItem().Exception.ShouldBeNull();
        result.Diagnostics.ShouldNotContain(d => d.Id == "DSL0099");
    }
}
