using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Gradients;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Backend;

/// <summary>
/// Convolution gradients through libtorch's native backward (autograd on the one conv) equal the
/// unfused gradient kernels and TorchSharp autograd of the whole function.
/// </summary>
public class NativeBackwardTests
{
    static readonly TorchBackend Native = new();
    static readonly TorchBackend Unfused = new() { NativeBackward = false };

    static GradientCase Case(string name, Func<Tensor[], Tensor> body, params InputSpec[] inputs) => new(name, inputs, body);

    public static readonly TheoryData<string> Names = ["conv2d_s2_p1", "conv2d_bias", "conv_relu_chain", "shared_weight_two_inputs", "odd_size_stride2", "conv2d_groups2", "conv2d_depthwise", "grouped_then_dense", "patch_embedding", "patch_embedding_floor"];

    static GradientCase Get(string name) => name switch
    {
        "conv_relu_chain" => Case(name, x => Ops.Conv2d(Ops.Relu(Ops.Conv2d(x[0], x[1], 2, 1)), x[2], 1, 1),
            InputSpec.F("x", new(2, 3, 9, 9)), InputSpec.F("w1", new(4, 3, 3, 3)), InputSpec.F("w2", new(5, 4, 3, 3))),
        // One weight on two inputs (SimCLR's two views): each recording must pair with its own dy.
        "shared_weight_two_inputs" => Case(name, x => Ops.Conv2d(x[0], x[2], 1, 1) * Ops.Conv2d(x[1], x[2], 1, 1),
            InputSpec.F("a", new(2, 2, 6, 6)), InputSpec.F("b", new(2, 2, 6, 6)), InputSpec.F("w", new(3, 2, 3, 3))),
        // The forward's floor drops a row and a column: the input gradient must restore them.
        "odd_size_stride2" => Case(name, x => Ops.Conv2d(x[0], x[1], 2, 0), InputSpec.F("x", new(2, 3, 8, 8)), InputSpec.F("w", new(4, 3, 3, 3))),
        // A grouped conv feeding a dense one on the same x: each gradient must pair with the conv of its own groups.
        "grouped_then_dense" => Case(name, x => Ops.Conv2d(x[0], x[1], 1, 1, groups: 2) + Ops.Conv2d(x[0], x[2], 1, 1),
            InputSpec.F("x", new(2, 4, 6, 6)), InputSpec.F("wg", new(4, 2, 3, 3)), InputSpec.F("wd", new(4, 4, 3, 3))),
        // Filters that tile the image (a ViT's patch embedding) run as one matrix multiply of the patches.
        "patch_embedding" => Case(name, x => Ops.Conv2d(x[0], x[1], 4, 0), InputSpec.F("x", new(2, 3, 8, 8)), InputSpec.F("w", new(5, 3, 4, 4))),
        // ... also where the floor drops the last rows and columns no patch covers.
        "patch_embedding_floor" => Case(name, x => Ops.Conv2d(x[0], x[1], 3, 0), InputSpec.F("x", new(2, 2, 7, 8)), InputSpec.F("w", new(4, 2, 3, 3))),
        _ => GradientCases.All[name],
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Native_convolution_backward_equals_unfused_kernels_and_autograd(string name)
    {
        var c = Get(name);
        var built = c.Build();
        var feeds = c.Feeds(built, seed: 3);
        using var native = (TorchCompiledGraph)Native.Compile(built.Graph);
        using var unfused = (TorchCompiledGraph)Unfused.Compile(built.Graph);
        native.NativeBackwardGroups.ShouldBeGreaterThan(0, "the conv gradients were not fused");
        unfused.NativeBackwardGroups.ShouldBe(0);
        var a = native.Run(feeds);
        var b = unfused.Run(feeds);
        var expected = TorchOracle.Gradients(built.Graph, built.Output, feeds, feeds["cotangent"], built.Wrt);
        for (int i = 0; i < built.Wrt.Length; i++)
        {
            string d = "d_" + built.Wrt[i].Name;
            Close.Assert(a[d], b[d], rtol: 1e-9, atol: 1e-11, $"{name}: native vs unfused {d}");
            Close.Assert(a[d], expected[i], rtol: 1e-9, atol: 1e-11, $"{name}: native vs autograd {d}");
        }
    }

    [Fact]
    public void Weight_gradient_alone_is_fused_when_the_input_is_data()
    {
        var g = new Graph("first_layer");
        var x = g.Input("x", new Shape(4, 1, 8, 8), DType.Float64);
        var w = g.Input("w", new Shape(3, 1, 3, 3), DType.Float64);
        var loss = Ops.Sum(Ops.Relu(Ops.Conv2d(x, w, 2, 1)));
        g.Output("dw", Autodiff.Gradients(loss, [w])[0]);
        var feeds = new Dictionary<string, HostTensor> { ["x"] = TestData.Uniform(x.Shape, 1), ["w"] = TestData.Uniform(w.Shape, 2) };
        using var native = (TorchCompiledGraph)Native.Compile(g);
        using var unfused = Unfused.Compile(g);
        native.NativeBackwardGroups.ShouldBe(1);
        Close.Assert(native.Run(feeds)["dw"], unfused.Run(feeds)["dw"], rtol: 1e-9, atol: 1e-11, "dw");
    }

    /// <summary>
    /// Training-mode batch norm takes its mean and biased variance from libtorch's own kernel (momentum-1 running
    /// buffers, the variance rescaled from unbiased), on the native-backward path and the plain one: both equal the
    /// two-pass formula, in float64 to 1e-12 and float32 to 1e-6, and the gradients agree between the paths.
    /// </summary>
    [Theory]
    [InlineData(DType.Float64, 1e-12)]
    [InlineData(DType.Float32, 1e-6)]
    public void Batch_norm_statistics_from_the_kernel_equal_the_formula_on_both_paths(DType dtype, double tolerance)
    {
        var g = new Graph("bn_statistics");
        var x = g.Input("x", new Shape(5, 3, 4, 4), dtype);
        var w = g.Input("w", new Shape(3), dtype);
        var b = g.Input("b", new Shape(3), dtype);
        var (y, mean, variance) = Ops.BatchNorm(x, w, b, 1e-5);
        g.Output("mean", mean);
        g.Output("var", variance);
        var dx = Autodiff.Gradients(Ops.Sum(y * y * x), [x])[0];
        g.Output("dx", dx);
        var feeds = new Dictionary<string, HostTensor>
        {
            ["x"] = TestData.Uniform(x.Shape, 1, dtype: dtype),
            ["w"] = TestData.Uniform(w.Shape, 2, dtype: dtype),
            ["b"] = TestData.Uniform(b.Shape, 3, dtype: dtype),
        };
        var values = feeds["x"].ToDoubles();
        int perChannel = 5 * 4 * 4;
        var expectedMean = new double[3];
        var expectedVar = new double[3];
        for (int c = 0; c < 3; c++)
        {
            var channel = Enumerable.Range(0, 5).SelectMany(n => values.Skip((n * 3 + c) * 16).Take(16)).ToArray();
            channel.Length.ShouldBe(perChannel);
            expectedMean[c] = channel.Average();
            expectedVar[c] = channel.Select(v => (v - expectedMean[c]) * (v - expectedMean[c])).Average();
        }
        using var native = (TorchCompiledGraph)Native.Compile(g);
        using var unfused = (TorchCompiledGraph)Unfused.Compile(g);
        native.NativeBackwardGroups.ShouldBe(1, "the batch norm and its gradient share one recording");
        var (a, u) = (native.Run(feeds), unfused.Run(feeds));
        foreach (var run in new[] { a, u })
        {
            run["mean"].ToDoubles().Zip(expectedMean).ShouldAllBe(p => Math.Abs(p.First - p.Second) <= tolerance);
            run["var"].ToDoubles().Zip(expectedVar).ShouldAllBe(p => Math.Abs(p.First - p.Second) <= tolerance * (1 + Math.Abs(p.Second)));
        }
        Close.Assert(a["dx"], u["dx"], rtol: dtype == DType.Float64 ? 1e-9 : 1e-4, atol: dtype == DType.Float64 ? 1e-11 : 1e-5, "dx native vs unfused");
    }

    [Fact]
    public void Native_backward_leaves_no_tensor_alive_after_a_step()
    {
        var c = Get("conv_relu_chain");
        var built = c.Build();
        var feeds = c.Feeds(built, 1);
        using var compiled = Native.Compile(built.Graph);
        compiled.Run(feeds);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        compiled.Run(feeds);
        DisposeScopeManager.Statistics.ThreadTotalLiveCount.ShouldBe(before);
    }

    [Fact]
    public void Float32_training_step_matches_unfused_within_1e_4()
    {
        var g = new Graph("f32");
        var x = g.Input("x", new Shape(8, 2, 12, 12));
        var w1 = g.Input("w1", new Shape(6, 2, 3, 3));
        var w2 = g.Input("w2", new Shape(6, 6, 3, 3));
        var h = Ops.Relu(Ops.Conv2d(Ops.Relu(Ops.Conv2d(x, w1, 2, 1)), w2, 2, 1));
        var loss = Ops.Mean(h * h);
        var grads = Autodiff.Gradients(loss, [w1, w2]);
        g.Output("d1", grads[0]);
        g.Output("d2", grads[1]);
        var feeds = new Dictionary<string, HostTensor>
        {
            ["x"] = TestData.Uniform(x.Shape, 1, dtype: DType.Float32),
            ["w1"] = TestData.Uniform(w1.Shape, 2, dtype: DType.Float32),
            ["w2"] = TestData.Uniform(w2.Shape, 3, dtype: DType.Float32),
        };
        using var native = Native.Compile(g);
        using var unfused = Unfused.Compile(g);
        var (a, b) = (native.Run(feeds), unfused.Run(feeds));
        Close.Assert(a["d1"], b["d1"], rtol: 1e-4, atol: 1e-6, "d1");
        Close.Assert(a["d2"], b["d2"], rtol: 1e-4, atol: 1e-6, "d2");
    }
}
