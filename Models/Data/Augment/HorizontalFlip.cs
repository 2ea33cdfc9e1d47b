namespace Dsl.Models.Data.Augment;

/// <summary>Mirrors the image left–right with probability <paramref name="p"/>.</summary>
/// <param name="p">Probability of flipping (default 0.5).</param>
public sealed class HorizontalFlip(double p = 0.5) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        if (!random.Bernoulli(p)) return image;
        for (int row = 0; row < image.Channels * image.Height; row++)
            image.Data.AsSpan(row * image.Width, image.Width).Reverse();
        return image;
    }
}
