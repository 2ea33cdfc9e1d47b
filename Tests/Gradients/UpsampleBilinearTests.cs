using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Gradients;

/// <summary>
/// Ops.UpsampleBilinear2d (two matrix products with constant interpolation weights) equals
/// libtorch's own interpolate(mode='bilinear', align_corners=False), forward and gradient (autograd
/// through interpolate), in float64; sizes of 1 and 2 exercise the clamped edges.
/// </summary>
public class UpsampleBilinearTests
{
    [Theory]
    [InlineData(2, 4, 5)]
    [InlineData(3, 3, 2)]
    [InlineData(4, 1, 3)]
    [InlineData(1, 2, 2)]
    public void Matches_torch_interpolate_and_its_autograd(int scale, int h, int w)
    {
        var shape = new Shape(2, 3, h, w);
        var g = new Graph("upsample");
        var x = g.Input("x", shape, DType.Float64);
        var y = Ops.UpsampleBilinear2d(x, scale);
        var cot = g.Input("cot", y.Shape, DType.Float64);
        g.Output("y", y);
        g.Output("dx", Autodiff.Gradients([(y, cot)], [x])[0]);
        var feeds = new Dictionary<string, HostTensor> { ["x"] = TestData.Uniform(shape, 7), ["cot"] = TestData.Uniform(y.Shape, 8) };
        using var compiled = new TorchBackend().Compile(g);
        var results = compiled.Run(feeds);

        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var tx = feeds["x"].ToTorch(torch.CPU).requires_grad_(true);
        var ty = torch.nn.functional.interpolate(tx, scale_factor: [scale, scale], mode: torch.InterpolationMode.Bilinear, align_corners: false);
        (ty * feeds["cot"].ToTorch(torch.CPU)).sum().backward();
        y.Shape.ShouldBe(new Shape(2, 3, h * scale, w * scale));
        Close.Assert(results["y"], ty.detach().ToHost(DType.Float64), rtol: 1e-12, atol: 1e-12, "upsampled");
        Close.Assert(results["dx"], tx.grad!.ToHost(DType.Float64), rtol: 1e-12, atol: 1e-12, "d/dx");
    }

}
