using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Backend;

/// <summary>
/// The backward ops of layer norm, batch norm, softmax, log-softmax, GELU and attention on Backend.Torch: the
/// forward's VJP is one such node; its own kernel equals the composite formula it replaced
/// (<see cref="DecomposableOp.Decompose"/>) and TorchSharp autograd; the native backward
/// (libtorch's kernel through autograd of the recorded forward) equals the unfused kernels.
/// </summary>
public class BackwardOpKernelTests
{
    static readonly TorchBackend Native = new();
    static readonly TorchBackend Unfused = new() { NativeBackward = false };

    public static readonly TheoryData<string, DType> Cases = new()
    {
        { "layer_norm", DType.Float64 }, { "layer_norm", DType.Float32 },
        { "batch_norm", DType.Float64 }, { "batch_norm", DType.Float32 },
        { "softmax", DType.Float64 }, { "softmax", DType.Float32 },
        { "log_softmax", DType.Float64 }, { "log_softmax", DType.Float32 },
        { "gelu", DType.Float64 }, { "gelu", DType.Float32 },
        { "attention", DType.Float64 }, { "attention", DType.Float32 },
        { "attention_scaled", DType.Float64 }, { "attention_scaled", DType.Float32 },
    };

    static double Tolerance(DType dtype) => dtype == DType.Float64 ? 1e-9 : 1e-4;

    /// <summary>The forward op on x (and a weight and bias), and its outputs; softmax rows long enough to be fused.</summary>
    static (Tensor Y, Tensor[] Wrt) Forward(string name, Graph g, DType dtype)
    {
        var x = g.Input("x", name is "batch_norm" ? new Shape(6, 4, 3, 3) : new Shape(3, 5, 72), dtype);
        Tensor Param(string p, int n) => g.Input(p, new Shape(n), dtype);
        return name switch
        {
            "layer_norm" => (Ops.LayerNorm(x, Param("w", 72), Param("b", 72)), [x, g["w"], g["b"]]),
            "batch_norm" => (Ops.BatchNorm(x, Param("w", 4), Param("b", 4)).Output, [x, g["w"], g["b"]]),
            "softmax" => (Ops.Softmax(x), [x]),
            "log_softmax" => (Ops.LogSoftmax(x), [x]),
            // 5 queries of 72 features against 7 keys, values of 16 (attention_scaled: not 1/√72).
            "attention" or "attention_scaled" => (Ops.Attention(x, g.Input("k", new Shape(3, 7, 72), dtype), g.Input("v", new Shape(3, 7, 16), dtype),
                name is "attention" ? null : 0.3), [x, g["k"], g["v"]]),
            _ => (Ops.Gelu(x), [x]),
        };
    }

    /// <summary>y = f(x, ...), loss = Σ y·cot, outputs d_x (d_w, d_b) by the graph's autodiff.</summary>
    static (Graph Graph, Tensor Y, Tensor[] Wrt) Backward(string name, DType dtype)
    {
        var g = new Graph(name + "_backward");
        var (y, wrt) = Forward(name, g, dtype);
        var cot = g.Input("cot", y.Shape, dtype);
        var loss = Ops.Sum(y * cot);
        // The loss is a result, as in training (else GELU's forward is dead: its gradient reads x).
        g.Output("loss", loss);
        var grads = Autodiff.Gradients(loss, wrt);
        for (int i = 0; i < wrt.Length; i++) g.Output("d_" + wrt[i].Name, grads[i]);
        return (g, y, wrt);
    }

    static Dictionary<string, HostTensor> Feeds(Graph g, int seed) =>
        g.Inputs.Select((v, i) => (v, i)).ToDictionary(p => p.v.Name!, p => TestData.Uniform(p.v.Shape, seed + p.i, dtype: p.v.DType));

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_vjp_is_one_backward_node_whose_native_and_own_kernels_equal_autograd(string name, DType dtype)
    {
        var (g, y, wrt) = Backward(name, dtype);
        g.Nodes.Count(n => n.Op is DecomposableOp && n != y.Producer).ShouldBe(1);
        var feeds = Feeds(g, 1);
        using var native = (TorchCompiledGraph)Native.Compile(g);
        using var unfused = (TorchCompiledGraph)Unfused.Compile(g);
        native.NativeBackwardGroups.ShouldBe(1, "the forward and its backward node were not paired");
        var (a, b) = (native.Run(feeds), unfused.Run(feeds));
        var expected = TorchOracle.Gradients(g, y, feeds, feeds["cot"], wrt);
        double tol = Tolerance(dtype);
        for (int i = 0; i < wrt.Length; i++)
        {
            string d = "d_" + wrt[i].Name;
            Close.Assert(a[d], b[d], rtol: tol, atol: tol * 1e-2, $"{name} {dtype}: native vs own kernel {d}");
            Close.Assert(b[d], expected[i], rtol: tol, atol: tol * 1e-2, $"{name} {dtype}: own kernel vs autograd {d}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_backward_kernel_equals_the_composite_formula_it_replaced(string name, DType dtype)
    {
        // The backward node's inputs fed as data, and its decomposition beside it.
        var g = new Graph(name + "_kernel");
        var (y, _) = Forward(name, g, dtype);
        var node = Autodiff.Gradients(Ops.Sum(y * g.Input("cot", y.Shape, dtype)), [g["x"]])[0].Producer!;
        while (node.Op is not DecomposableOp) node = node.Inputs[0].Producer!;
        var op = (DecomposableOp)node.Op;
        var kernel = g.Apply(op, [.. node.Inputs]);
        var composite = op.Decompose(node.Inputs);
        for (int k = 0; k < kernel.Count; k++)
        {
            g.Output($"kernel{k}", kernel[k]);
            g.Output($"composite{k}", composite[k]);
        }
        using var compiled = Unfused.Compile(g);
        var outputs = compiled.Run(Feeds(g, 2));
        double tol = Tolerance(dtype);
        for (int k = 0; k < kernel.Count; k++)
            Close.Assert(outputs[$"kernel{k}"], outputs[$"composite{k}"], rtol: tol, atol: tol * 1e-2, $"{op.Name} {dtype} output {k}");
    }

    [Fact]
    public void Statistics_read_by_other_nodes_are_still_produced()
    {
        var g = new Graph("ln_stats");
        var x = g.Input("x", new Shape(4, 9), DType.Float64);
        var (w, b) = (g.Input("w", new Shape(9), DType.Float64), g.Input("b", new Shape(9), DType.Float64));
        var o = g.Apply(new LayerNormOp(1e-5), x, w, b);
        var loss = Ops.Sum(o[0] * o[0]) + Ops.Sum(o[1]) + Ops.Sum(o[2] * o[2]);
        var grads = Autodiff.Gradients(loss, [x, w]);
        g.Output("mean", o[1]);
        g.Output("dx", grads[0]);
        g.Output("dw", grads[1]);
        var feeds = Feeds(g, 3);
        using var native = (TorchCompiledGraph)Native.Compile(g);
        using var unfused = Unfused.Compile(g);
        native.NativeBackwardGroups.ShouldBe(1);
        var (a, c) = (native.Run(feeds), unfused.Run(feeds));
        foreach (var name in new[] { "mean", "dx", "dw" })
            Close.Assert(a[name], c[name], rtol: 1e-9, atol: 1e-11, name);
    }

    [Fact]
    public void Short_softmax_rows_keep_the_unfused_kernel()
    {
        var g = new Graph("short_rows");
        var x = g.Input("x", new Shape(4, 8, 17));
        g.Output("dx", Autodiff.Gradients(Ops.Sum(Ops.Softmax(x) * x), [x])[0]);
        using var native = (TorchCompiledGraph)Native.Compile(g);
        native.NativeBackwardGroups.ShouldBe(0);
    }

    [Fact]
    public void A_vit_block_step_in_float32_matches_the_unfused_kernels_and_frees_every_tensor()
    {
        var g = new Graph("block");
        var x = g.Input("x", new Shape(4, 10, 64));
        Tensor P(string name, params int[] dims) => g.Input(name, new Shape(dims));
        var (w1, b1, wq, w2, w3, b3) = (P("ln_w", 64), P("ln_b", 64), P("wq", 64, 64), P("fc1", 256, 64), P("fc2", 64, 256), P("ln2_b", 64));
        var h = Ops.LayerNorm(x, w1, b1);
        var scores = Ops.MatMul(Ops.Linear(h, wq, null), h, transposeB: true);
        var attended = Ops.MatMul(Ops.Softmax(Ops.Concat(2, scores, scores, scores, scores, scores, scores, scores)), Ops.Concat(1, h, h, h, h, h, h, h));
        var mlp = Ops.Linear(Ops.Gelu(Ops.Linear(Ops.LayerNorm(attended + x, w1, b3), w2, null)), w3, null);
        var loss = Ops.Mean(mlp * mlp) + Ops.Mean(Ops.LogSoftmax(mlp));
        Tensor[] wrt = [x, w1, b1, wq, w2, w3, b3];
        var grads = Autodiff.Gradients(loss, wrt);
        for (int i = 0; i < wrt.Length; i++) g.Output("d_" + wrt[i].Name, grads[i]);
        var feeds = Feeds(g, 4).ToDictionary(kv => kv.Key, kv => HostTensor.F32(kv.Value.Shape, [.. kv.Value.ToDoubles().Select(v => (float)v)]));

        using var native = (TorchCompiledGraph)Native.Compile(g);
        using var unfused = Unfused.Compile(g);
        // Two layer norms, softmax (rows of 70), GELU and log-softmax (rows of 64).
        native.NativeBackwardGroups.ShouldBe(5);
        var (a, b) = (native.Run(feeds), unfused.Run(feeds));
        // Float32 rounding, relative to each gradient's scale.
        foreach (var name in a.Keys)
            Close.Assert(a[name], b[name], rtol: 1e-4, atol: 1e-4 * b[name].ToDoubles().Max(Math.Abs), name);

        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        native.Run(feeds);
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.ShouldBe(before);
    }
}
