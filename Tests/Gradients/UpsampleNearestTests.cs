using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Tests.Support;
using TorchSharp;

namespace Dsl.Tests.Gradients;

/// <summary>
/// Ops.UpsampleNearest2d (a composite of reshape and expand) equals libtorch's own
/// interpolate(mode='nearest'), forward and gradient (autograd through interpolate), in float64.
/// </summary>
public class UpsampleNearestTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Matches_torch_interpolate_and_its_autograd(int scale)
    {
        var shape = new Shape(2, 3, 4, 5);
        var g = new Graph("upsample");
        var x = g.Input("x", shape, DType.Float64);
        var y = Ops.UpsampleNearest2d(x, scale);
        var cot = g.Input("cot", y.Shape, DType.Float64);
        g.Output("y", y);
        g.Output("dx", Autodiff.Gradients([(y, cot)], [x])[0]);
        var feeds = new Dictionary<string, HostTensor> { ["x"] = TestData.Uniform(shape, 7), ["cot"] = TestData.Uniform(y.Shape, 8) };
        using var compiled = new TorchBackend().Compile(g);
        var results = compiled.Run(feeds);

        TorchRuntime.EnsureInitialized();
        using var scope = torch.NewDisposeScope();
        var tx = feeds["x"].ToTorch(torch.CPU).requires_grad_(true);
        var ty = torch.nn.functional.interpolate(tx, scale_factor: [scale, scale], mode: torch.InterpolationMode.Nearest);
        (ty * feeds["cot"].ToTorch(torch.CPU)).sum().backward();
        y.Shape.ShouldBe(new Shape(2, 3, 4 * scale, 5 * scale));
        Close.Assert(results["y"], ty.detach().ToHost(DType.Float64), rtol: 0, atol: 0, "upsampled");
        Close.Assert(results["dx"], tx.grad!.ToHost(DType.Float64), rtol: 1e-12, atol: 1e-12, "d/dx");
    }
}
