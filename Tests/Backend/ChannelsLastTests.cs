using Dsl.Backend.Torch;
using Dsl.Backend.Torch.Lowering;
using Dsl.Execution;
using Dsl.Operators;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Backend;

/// <summary>
/// Backend.Torch runs float32 CPU convolutions on channels-last tensors (<see cref="TorchBackend.ChannelsLast"/>): a
/// layout choice that must not change results beyond rounding, including through batch norm, residual additions,
/// a one-channel first layer and a flatten, and that leaves other dtypes and the NCHW option alone.
/// </summary>
public class ChannelsLastTests
{
    /// <summary>A small conv net's training step: grey input, conv → BN → ReLU → conv + residual → ReLU → flatten → linear.</summary>
    static (Graph Graph, Dictionary<string, HostTensor> Feeds) ConvNetStep()
    {
        var g = new Graph("conv_net");
        var x = g.Input("x", new Shape(6, 1, 12, 12));
        var w1 = g.Input("w1", new Shape(8, 1, 3, 3));
        var gamma = g.Input("gamma", new Shape(8));
        var beta = g.Input("beta", new Shape(8));
        var w2 = g.Input("w2", new Shape(8, 8, 3, 3));
        var w3 = g.Input("w3", new Shape(5, 8 * 6 * 6));
        var (bn, _, _) = Ops.BatchNorm(Ops.Conv2d(x, w1, 2, 1), gamma, beta);
        var h = Ops.Relu(bn);
        h = Ops.Relu(Ops.Conv2d(h, w2, 1, 1) + h);
        var logits = Ops.Linear(Ops.Reshape(h, 6, -1), w3);
        var loss = Ops.Mean(logits * logits);
        g.Output("loss", loss);
        var grads = Autodiff.Gradients(loss, [w1, gamma, beta, w2, w3]);
        foreach (var (name, grad) in new[] { "w1", "gamma", "beta", "w2", "w3" }.Zip(grads)) g.Output("d_" + name, grad);
        var feeds = new Dictionary<string, HostTensor>();
        int seed = 1;
        foreach (var input in new[] { x, w1, gamma, beta, w2, w3 })
            feeds[input.Name!] = TestData.Uniform(input.Shape, seed++, dtype: DType.Float32);
        return (g, feeds);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Channels_last_training_step_equals_nchw_within_float32_rounding(bool nativeBackward)
    {
        var (graph, feeds) = ConvNetStep();
        using var channelsLast = new TorchBackend { NativeBackward = nativeBackward }.Compile(graph);
        using var nchw = new TorchBackend { NativeBackward = nativeBackward, ChannelsLast = false }.Compile(graph);
        var (a, b) = (channelsLast.Run(feeds), nchw.Run(feeds));
        foreach (var name in a.Keys)
            Close.Assert(a[name], b[name], rtol: 1e-4, atol: 1e-5, $"{name}: channels-last vs NCHW");
    }

    [Fact]
    public void Float32_operands_become_channels_last_and_the_rest_stay_as_they_are()
    {
        var on = new KernelContext(torch.CPU, ChannelsLast: true);
        using var grey = torch.rand(2, 1, 5, 5);
        using var colour = torch.rand(2, 3, 5, 5);
        using var doubles = torch.rand(2, 3, 5, 5, torch.float64);
        using var matrix = torch.rand(4, 5);

        using (var converted = KernelTable.ConvolutionLayout(colour, on))
        {
            converted.stride().ShouldBe([75, 1, 15, 3], "NHWC strides of a [2, 3, 5, 5] tensor");
            converted.allclose(colour, rtol: 0, atol: 0).ShouldBeTrue("the same values, in another memory order");
            using var again = KernelTable.ConvolutionLayout(converted, on);
            converted.fill_(7);
            again.sum().item<float>().ShouldBe(7f * 150, "an operand already channels-last is not copied: it shares its storage");
        }
        // One channel is the same memory in both layouts: only the strides change, and oneDNN, which keys its output
        // layout on them, then writes channels-last too, so that the ReLU gradient behind it does not mix layouts.
        using (var converted = KernelTable.ConvolutionLayout(grey, on))
        {
            converted.stride().ShouldBe([25, 1, 5, 1]);
            converted.fill_(3);
            grey.sum().item<float>().ShouldBe(3f * 50, "a view of the same storage, not a copy");
        }
        // ... also for a view that starts inside its storage (the second half of a batch).
        using (var batch = torch.rand(4, 1, 5, 5))
        using (var secondHalf = batch.narrow(0, 2, 2))
        using (var converted = KernelTable.ConvolutionLayout(secondHalf, on))
            converted.allclose(secondHalf, rtol: 0, atol: 0).ShouldBeTrue("the view keeps its storage offset");
        using (var filters = torch.rand(4, 1, 3, 3))
        {
            var y = KernelTable.For(new Conv2dOp(1, 1))(new Conv2dOp(1, 1), [grey, filters], on)[0];
            using (y) y.stride().ShouldBe([100, 1, 20, 4], "NHWC strides of the [2, 4, 5, 5] output");
        }
        using (var kept = KernelTable.ConvolutionLayout(doubles, on)) kept.stride().ShouldBe(doubles.stride(), "oneDNN has no float64 convolution");
        using (var kept = KernelTable.ConvolutionLayout(matrix, on)) kept.stride().ShouldBe(matrix.stride());
        using (var kept = KernelTable.ConvolutionLayout(colour, new KernelContext(torch.CPU))) kept.stride().ShouldBe(colour.stride(), "ChannelsLast off");
    }
}
