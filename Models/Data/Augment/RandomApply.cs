namespace Dsl.Models.Data.Augment;

/// <summary>Applies <paramref name="inner"/> with probability <paramref name="p"/> (torchvision's <c>RandomApply</c>).</summary>
/// <param name="inner">The transformation.</param>
/// <param name="p">Probability of applying it.</param>
public sealed class RandomApply(Augmentation inner, double p) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random) => random.Bernoulli(p) ? inner.Apply(image, random) : image;

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) OutputShape(int channels, int height, int width)
    {
        var shape = inner.OutputShape(channels, height, width);
        if (shape != (channels, height, width))
            throw new InvalidOperationException("RandomApply cannot wrap a transformation that changes the image shape.");
        return shape;
    }
}
