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
    public void Matches_torch_interpolate_and_its_autograd(int scale) =>
        UpsampleCheck.MatchesTorch(new Shape(2, 3, 4, 5), scale, x => Ops.UpsampleNearest2d(x, scale),
            tx => torch.nn.functional.interpolate(tx, scale_factor: [scale, scale], mode: torch.InterpolationMode.Nearest), forwardTolerance: 0);
}
