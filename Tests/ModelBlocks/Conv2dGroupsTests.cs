using Dsl.Models.Blocks;

namespace Dsl.Tests.ModelBlocks;

/// <summary>The Conv2d block's <c>groups</c>: PyTorch's weight shape, and a clear refusal of groups that do not divide the channels.</summary>
public class Conv2dGroupsTests
{
    [Theory]
    [InlineData(4, 6, 2, 2)]   // grouped: each filter sees 4/2 channels
    [InlineData(3, 3, 3, 1)]   // depthwise
    [InlineData(3, 6, 3, 1)]   // depthwise with a channel multiplier of 2
    public void The_weight_holds_in_over_groups_channels(int inChannels, int outChannels, int groups, int weightChannels)
    {
        var g = new Dsl.Graph("conv");
        ModelContext.Build(g, () => new Conv2d(inChannels, outChannels, 3, groups: groups), out var registry);
        registry.Parameters.Single(p => p.Name == "weight").Value.Shape.ShouldBe(new Shape(outChannels, weightChannels, 3, 3));
    }

    [Theory]
    [InlineData(4, 6, 3)]
    [InlineData(6, 4, 3)]
    [InlineData(4, 4, 0)]
    public void Groups_that_do_not_divide_both_channel_counts_are_refused(int inChannels, int outChannels, int groups)
    {
        var g = new Dsl.Graph("conv");
        var e = Should.Throw<ArgumentException>(() => ModelContext.Build(g, () => new Conv2d(inChannels, outChannels, 3, groups: groups), out _));
        e.Message.ShouldContain($"groups={groups}");
        e.Message.ShouldContain("divide both the input and the output channels");
    }
}
