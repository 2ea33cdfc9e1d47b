namespace Dsl.Models.Data.Augment;

/// <summary>Inverts every pixel at or above <paramref name="threshold"/> (x → 1 − x), torchvision's <c>solarize</c>.</summary>
/// <param name="threshold">Threshold in [0, 1] (default 0.5).</param>
public sealed class Solarize(float threshold = 0.5f) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        var data = image.Data;
        for (int i = 0; i < data.Length; i++)
            if (data[i] >= threshold) data[i] = 1f - data[i];
        return image;
    }
}
