using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Gradients;
using TorchSharp;

namespace Dsl.Tests.Backend;

/// <summary>Backend.Torch frees every intermediate: nothing is left alive after a step, and a long chain stays small.</summary>
public class MemoryTests
{
    static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Theory]
    [InlineData("mlp")]
    [InlineData("conv2d_s2_p1")]
    [InlineData("layer_norm_stats")]
    [InlineData("batch_norm_4d_stats")]
    [InlineData("max_pool2d_overlap")]
    [InlineData("dropout")]
    public void No_tensor_outlives_a_step(string name)
    {
        var c = GradientCases.All[name];
        var built = c.Build();
        var feeds = c.Feeds(built, 1);
        using var compiled = new TorchBackend().Compile(built.Graph);
        compiled.Run(feeds);                     // warm-up: lazy native state
        long before = Live;
        compiled.Run(feeds);
        Live.ShouldBe(before, $"{name}: live torch tensors after a step");
    }

    [Fact]
    public void Intermediates_are_freed_at_their_last_use()
    {
        var g = new Dsl.Graph("chain");
        var x = g.Input("x", new Shape(64, 64));
        var y = x;
        for (int i = 0; i < 50; i++) y = Ops.Tanh(y) * 1.5;   // 100 nodes in a line
        g.Output("y", y);
        var compiled = (TorchCompiledGraph)new TorchBackend().Compile(g);
        using var _ = compiled;
        long before = Live, peak = 0;
        compiled.AfterEachStep = () => peak = Math.Max(peak, Live);
        compiled.Run(new Dictionary<string, HostTensor> { ["x"] = Support.TestData.Uniform(new Shape(64, 64), 1, dtype: DType.Float32) });
        // input + scalar constant + current value + the one being made: a handful, not 100.
        peak.ShouldBeGreaterThan(before, "the hook saw the run's tensors");
        (peak - before).ShouldBeLessThanOrEqualTo(5);
        Live.ShouldBe(before);
    }

    [Fact]
    public void Persistent_values_are_updated_in_place()
    {
        var g = new Dsl.Graph("inplace");
        var w = g.Parameter("w", new Shape(3));
        g.Update(w, w * 2.0 + 1.0);
        g.Output("w_before", w * 1.0);
        using var compiled = new TorchBackend().Compile(g);
        compiled.SetPersistent("w", HostTensor.F32(new Shape(3), [1, 2, 3]));
        compiled.Run(new Dictionary<string, HostTensor>());
        compiled.Run(new Dictionary<string, HostTensor>())["w_before"].ToDoubles().ShouldBe([3, 5, 7]);
        compiled.GetPersistent("w").ToDoubles().ShouldBe([7, 11, 15]);
    }

    [Fact]
    public void Running_statistics_updated_twice_in_one_step_chain_like_pytorch()
    {
        var g = new Dsl.Graph("twice");
        var running = g.Buffer("running_mean", new Shape(1));
        var b1 = g.Input("b1", new Shape(1));
        var b2 = g.Input("b2", new Shape(1));
        g.Update(running, Ops.RunningMeanUpdate(running, b1));
        g.Update(running, Ops.RunningMeanUpdate(running, b2));   // reads the pending value: chains
        using var compiled = new TorchBackend().Compile(g);
        compiled.SetPersistent("running_mean", HostTensor.F32(new Shape(1), [1]));
        compiled.Run(new Dictionary<string, HostTensor> { ["b1"] = HostTensor.F32(new Shape(1), [10]), ["b2"] = HostTensor.F32(new Shape(1), [20]) });
        compiled.GetPersistent("running_mean")[0].ShouldBe(0.9 * (0.9 * 1 + 0.1 * 10) + 0.1 * 20, 1e-5);
    }

    [Fact]
    public void Swapping_updates_read_values_from_before_the_step()
    {
        var g = new Dsl.Graph("swap");
        var a = g.Parameter("a", new Shape(2));
        var b = g.Parameter("b", new Shape(2));
        g.Update(a, Ops.Reshape(b, new Shape(2)));
        g.Update(b, Ops.Permute(a, 0));
        using var compiled = new TorchBackend { Optimize = false }.Compile(g);
        compiled.SetPersistent("a", HostTensor.F32(new Shape(2), [1, 2]));
        compiled.SetPersistent("b", HostTensor.F32(new Shape(2), [3, 4]));
        compiled.Run(new Dictionary<string, HostTensor>());
        compiled.GetPersistent("a").ToDoubles().ShouldBe([3, 4]);
        compiled.GetPersistent("b").ToDoubles().ShouldBe([1, 2]);
    }

    [Fact]
    public void Missing_or_mistyped_inputs_are_named()
    {
        var g = new Dsl.Graph("needs_x");
        g.Output("y", Ops.Exp(g.Input("x", new Shape(2))));
        using var compiled = new TorchBackend().Compile(g);
        Should.Throw<ArgumentException>(() => compiled.Run(new Dictionary<string, HostTensor>())).Message.ShouldContain("needs input 'x' (f32[2])");
        Should.Throw<ArgumentException>(() => compiled.Run(new Dictionary<string, HostTensor> { ["x"] = HostTensor.F32(new Shape(3), [1, 2, 3]) }))
            .Message.ShouldContain("must be f32[2], got f32[3]");
    }

    [Fact]
    public void Cuda_request_without_cuda_fails_with_a_fix()
    {
        if (torch.cuda.is_available()) return; // the message is for machines without CUDA
        Should.Throw<InvalidOperationException>(() => new TorchBackend("cuda")).Message.ShouldContain("--device cpu");
    }
}
