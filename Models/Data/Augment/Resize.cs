namespace Dsl.Models.Data.Augment;

/// <summary>A deterministic bilinear resize to a fixed size (for evaluation).</summary>
/// <param name="height">Output height.</param>
/// <param name="width">Output width.</param>
public sealed class Resize(int height, int width) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        if (image.Height == height && image.Width == width) return image;
        var result = new FloatImage(image.Channels, height, width);
        Bilinear.Resize(image.Data, image.Channels, image.Height, image.Width, result.Data, height, width);
        return result;
    }

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) OutputShape(int channels, int h, int w) => (channels, height, width);
}
