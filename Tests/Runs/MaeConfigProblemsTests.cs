using Dsl.Models.Methods;

namespace Dsl.Tests.Runs;

/// <summary>Impossible MAE configurations are refused before any graph is built, with a sentence that says the fix.</summary>
public class MaeConfigProblemsTests
{
    [Fact]
    public void Heads_not_dividing_the_width_are_refused_with_the_fix()
    {
        var config = MaeConfig.FashionMnist with { EncoderDim = 130 };
        config.Problems().ShouldHaveSingleItem().ShouldBe("The encoder width 130 is not divisible by its 4 attention heads: use a width that is a multiple of the heads, or a head count dividing 130.");
        Should.Throw<ArgumentException>(() => new MaskedAutoencoder(config)).Message.ShouldContain("not divisible by its 4 attention heads");
    }

    [Fact]
    public void Patch_size_not_dividing_the_image_size_is_refused_with_divisors()
    {
        (MaeConfig.FashionMnist with { PatchSize = 5 }).Problems().ShouldHaveSingleItem()
            .ShouldBe("The patch size 5 does not divide the image size 28: use a divisor of 28 such as 1, 2, 4, 7, 14.");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void Mask_ratio_outside_zero_to_one_is_refused(double ratio)
    {
        (MaeConfig.FashionMnist with { MaskRatio = ratio }).Problems().ShouldHaveSingleItem().ShouldContain("outside (0, 1)");
    }

    [Fact]
    public void Mask_ratio_that_hides_every_patch_is_refused()
    {
        (MaeConfig.FashionMnist with { MaskRatio = 0.99 }).Problems().ShouldHaveSingleItem().ShouldContain("hides every one of the 49 patches");
    }

    [Fact]
    public void The_published_configurations_have_no_problems()
    {
        foreach (var config in new[] { MaeConfig.FashionMnist, MaeConfig.Keras(), MaeConfig.VitBase16, MaeConfig.VitLarge16, MaeConfig.VitHuge14 })
            config.Problems().ShouldBeEmpty(config.ToString());
    }
}
