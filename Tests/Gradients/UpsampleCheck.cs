using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Tests.Gradients;

/// <summary>An upsampling op against libtorch's interpolate: forward and the gradient of a random cotangent, in float64.</summary>
static class UpsampleCheck
{
    /// <param name="shape">The [N, C, H, W] input.</param>
    /// <param name="scale">The integer scale factor.</param>
    /// <param name="upsample">The DSL op.</param>
    /// <param name="interpolate">libtorch's interpolate with the same mode.</param>
    /// <param name="forwardTolerance">rtol and atol of the forward (0 where the op only copies).</param>
    public static void MatchesTorch(Shape shape, int scale, Func<Tensor, Tensor> upsample, Func<TT, TT> interpolate, double forwardTolerance)
    {
        var g = new Graph("upsample");
        var x = g.Input("x", shape, DType.Float64);
        var y = upsample(x);
        var cot = g.Input("cot", y.Shape, DType.Float64);
        g.Output("y", y);
        g.Output("dx", Autodiff.Gradients([(y, cot)], [x])[0]);
        var feeds = new Dictionary<string, HostTensor> { ["x"] = TestData.Uniform(shape, 7), ["cot"] = TestData.Uniform(y.Shape, 8) };
        using var compiled = new TorchBackend().Compile(g);
        var results = compiled.Run(feeds);

        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var tx = feeds["x"].ToTorch(torch.CPU).requires_grad_(true);
        var ty = interpolate(tx);
        (ty * feeds["cot"].ToTorch(torch.CPU)).sum().backward();
        y.Shape.ShouldBe(new Shape(shape[0], shape[1], shape[2] * scale, shape[3] * scale));
        Close.Assert(results["y"], ty.detach().ToHost(DType.Float64), rtol: forwardTolerance, atol: forwardTolerance, "upsampled");
        Close.Assert(results["dx"], tx.grad!.ToHost(DType.Float64), rtol: 1e-12, atol: 1e-12, "d/dx");
    }
}
