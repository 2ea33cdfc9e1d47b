namespace Dsl.Models.Data.Augment;

/// <summary>
/// Converts to grey with probability <paramref name="p"/>, keeping the number of channels
/// (three equal planes for RGB; one-channel images are unchanged).
/// </summary>
/// <param name="p">Probability (SimCLR: 0.2).</param>
public sealed class RandomGrayscale(double p = 0.2) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        if (!random.Bernoulli(p) || image.Channels < 3) return image;
        var grey = Colour.Grey(image);
        for (int c = 0; c < image.Channels; c++) grey.CopyTo(image.Plane(c));
        return image;
    }
}
