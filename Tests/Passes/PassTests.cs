using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Passes;
using Dsl.Tests.Gradients;
using Dsl.Tests.Support;

namespace Dsl.Tests.Passes;

/// <summary>DCE, CSE and constant folding change the printed IR as expected and keep results identical.</summary>
public class PassTests
{
    static readonly TorchBackend Plain = new() { Optimize = false };
    static readonly TorchBackend Optimizing = new();

    static (Dsl.Graph G, Tensor X) WithInput(string name)
    {
        var g = new Dsl.Graph(name);
        return (g, g.Input("x", new Shape(2, 3)));
    }

    static Dictionary<string, HostTensor> Feed() => new() { ["x"] = TestData.Uniform(new Shape(2, 3), 3, dtype: DType.Float32) };

    [Fact]
    public void Dead_code_elimination_drops_unused_nodes()
    {
        var (g, x) = WithInput("dce");
        var used = Ops.Exp(x);
        _ = Ops.Tanh(x) * 2.0;                     // never reaches an output
        g.Output("y", used);
        Snapshot.Verify(GraphPrinter.Print(g) + "--- after DCE ---\n" + GraphPrinter.Print(DeadCodeElimination.Run(g)));
        DeadCodeElimination.Run(g).Nodes.Select(n => n.Op.Name).ShouldBe(["exp"]);
    }

    [Fact]
    public void Cse_merges_identical_nodes_but_not_random_draws()
    {
        var (g, x) = WithInput("cse");
        var seed = g.Input("seed", new Shape(2), DType.Int64);
        var a = Ops.Exp(x) + Ops.Exp(x);
        var r1 = Ops.RandomUniform(seed, new Shape(2, 3));
        var r2 = Ops.RandomUniform(seed, new Shape(2, 3));
        g.Output("a", a);
        g.Output("r1", r1);
        g.Output("r2", r2);
        var after = CommonSubexpressionElimination.Run(g);
        Snapshot.Verify(GraphPrinter.Print(after));
        after.Nodes.Count(n => n.Op is ExpOp).ShouldBe(1);
        after.Nodes.Count(n => n.Op is RandomUniformOp).ShouldBe(2);

        using var run = Optimizing.Compile(g);
        var feeds = Feed();
        feeds["seed"] = HostTensor.I64(new Shape(2), [1, 2]);
        var o = run.Run(feeds);
        o["r1"].ToDoubles().ShouldNotBe(o["r2"].ToDoubles());
        run.Run(feeds)["r1"].ToDoubles().ShouldBe(o["r1"].ToDoubles());    // same seed, same draw
    }

    [Fact]
    public void Constant_folding_computes_fills_and_removes_identities()
    {
        var (g, x) = WithInput("fold");
        var two = Ops.Full(g, Shape.Scalar, 2);
        var three = Ops.Full(g, Shape.Scalar, 3);
        var y = x * (two * three) + Ops.Full(g, Shape.Scalar, 0);        // 0 is an identity
        var z = Ops.Reshape(y * 1.0, new Shape(3, 2));
        g.Output("z", z);
        var folded = ConstantFolding.Run(g);
        var optimized = Pipeline.Optimize(g);
        Snapshot.Verify(GraphPrinter.Print(g) + "--- after folding, CSE and DCE ---\n" + GraphPrinter.Print(optimized));
        optimized.Nodes.Select(n => n.Op.Name).ShouldBe(["full", "mul", "reshape"]);
        ((FullOp)optimized.Nodes[0].Op).Value.ShouldBe(6);

        using var plain = Plain.Compile(g);
        using var opt = Optimizing.Compile(g);
        opt.Run(Feed())["z"].ToDoubles().ShouldBe(plain.Run(Feed())["z"].ToDoubles());
    }

    [Theory]
    [MemberData(nameof(GradientCases.Names), MemberType = typeof(GradientCases))]
    public void Optimized_gradient_graphs_give_the_same_results(string name)
    {
        var c = GradientCases.All[name];
        var built = c.Build();
        var feeds = c.Feeds(built, seed: 23);
        using var plain = Plain.Compile(built.Graph);
        using var opt = Optimizing.Compile(built.Graph);
        opt.Graph.Nodes.Count.ShouldBeLessThanOrEqualTo(built.Graph.Nodes.Count);
        var a = plain.Run(feeds);
        var b = opt.Run(feeds);
        // Elementwise ops agree bit for bit; BLAS may round a matmul differently when its operand
        // is another (equal) buffer, hence a last-ulp tolerance rather than exact equality.
        foreach (var (k, v) in a) Close.Assert(b[k], v, rtol: 1e-14, atol: 1e-15, $"{name}: output {k}");
    }

    [Fact]
    public void Passes_shrink_a_training_graph()
    {
        var built = GradientCases.All["mlp"].Build();
        var optimized = Pipeline.Optimize(built.Graph);
        optimized.Nodes.Count.ShouldBeLessThan(built.Graph.Nodes.Count);
    }

    [Fact]
    public void Liveness_gives_the_last_reader_of_each_value()
    {
        var (g, x) = WithInput("live");
        var a = Ops.Exp(x);            // node 0
        var b = Ops.Tanh(a);           // node 1
        var c = a + b;                 // node 2: last use of a and b
        var unused = Ops.Neg(x);       // node 3
        g.Output("c", c);
        var last = Liveness.LastUse(g);
        last[x.Id].ShouldBe(3);
        last[a.Id].ShouldBe(2);
        last[b.Id].ShouldBe(2);
        last[c.Id].ShouldBe(Liveness.Forever);
        last[unused.Id].ShouldBe(-1);
    }
}
