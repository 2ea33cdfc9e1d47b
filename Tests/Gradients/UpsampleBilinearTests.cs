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
    public void Matches_torch_interpolate_and_its_autograd(int scale, int h, int w) =>
        UpsampleCheck.MatchesTorch(new Shape(2, 3, h, w), scale, x => Ops.UpsampleBilinear2d(x, scale),
            tx => torch.nn.functional.interpolate(tx, scale_factor: [scale, scale], mode: torch.InterpolationMode.Bilinear, align_corners: false), forwardTolerance: 1e-12);

}
