using System.Numerics.Tensors;

namespace Dsl.Models.Data.Augment;

/// <summary>
/// torchvision's <c>ColorJitter</c>: brightness, contrast, saturation and hue factors drawn
/// uniformly (brightness/contrast/saturation in [max(0, 1 − v), 1 + v], hue in [−v, v]) and applied
/// in a random order. Saturation and hue leave one-channel images unchanged, as torchvision.
/// </summary>
/// <param name="brightness">Brightness strength (0 = off).</param>
/// <param name="contrast">Contrast strength (0 = off).</param>
/// <param name="saturation">Saturation strength (0 = off).</param>
/// <param name="hue">Hue strength in [0, 0.5] (0 = off).</param>
public sealed class ColorJitter(double brightness, double contrast, double saturation, double hue) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        Span<int> order = [0, 1, 2, 3];
        random.Shuffle(order);
        float b = brightness > 0 ? (float)random.Uniform(Math.Max(0, 1 - brightness), 1 + brightness) : 1;
        float c = contrast > 0 ? (float)random.Uniform(Math.Max(0, 1 - contrast), 1 + contrast) : 1;
        float s = saturation > 0 ? (float)random.Uniform(Math.Max(0, 1 - saturation), 1 + saturation) : 1;
        float h = hue > 0 ? (float)random.Uniform(-hue, hue) : 0;
        foreach (int op in order)
        {
            switch (op)
            {
                case 0 when brightness > 0: AdjustBrightness(image, b); break;
                case 1 when contrast > 0: AdjustContrast(image, c); break;
                case 2 when saturation > 0: AdjustSaturation(image, s); break;
                case 3 when hue > 0: AdjustHue(image, h); break;
            }
        }
        return image;
    }

    /// <summary>x = clip(factor·x).</summary>
    public static void AdjustBrightness(FloatImage image, float factor) => Colour.Blend(image.Data, 0f, factor);

    /// <summary>Blends with the mean of the grey image: x = clip(factor·x + (1 − factor)·mean).</summary>
    public static void AdjustContrast(FloatImage image, float factor)
    {
        float mean = TensorPrimitives.Sum<float>(Colour.Grey(image)) / image.PlaneSize;
        Colour.Blend(image.Data, mean, factor);
    }

    /// <summary>Blends each channel with the grey image (no-op for one channel).</summary>
    public static void AdjustSaturation(FloatImage image, float factor)
    {
        if (image.Channels < 3) return;
        var grey = Colour.Grey(image);
        for (int c = 0; c < image.Channels; c++) Colour.Blend(image.Plane(c), grey, factor);
    }

    /// <summary>Rotates the hue by <paramref name="shift"/> turns (no-op for one channel), via HSV as torchvision.</summary>
    public static void AdjustHue(FloatImage image, float shift)
    {
        if (image.Channels < 3) return;
        Span<float> rp = image.Plane(0), gp = image.Plane(1), bp = image.Plane(2);
        for (int i = 0; i < rp.Length; i++)
        {
            float r = rp[i], g = gp[i], b = bp[i];
            float max = MathF.Max(r, MathF.Max(g, b)), min = MathF.Min(r, MathF.Min(g, b));
            bool eq = max == min;
            float cr = max - min;
            float s = cr / (eq ? 1f : max);
            float div = eq ? 1f : cr;
            float rc = (max - r) / div, gc = (max - g) / div, bc = (max - b) / div;
            float h = max == r ? bc - gc : max == g ? 2f + rc - bc : 4f + gc - rc;
            h = h / 6f + 1f;
            h -= MathF.Floor(h);
            h += shift;
            h -= MathF.Floor(h);
            float v = max;
            float h6 = h * 6f;
            float fl = MathF.Floor(h6);
            float f = h6 - fl;
            int sector = ((int)fl % 6 + 6) % 6;
            float p = Math.Clamp(v * (1f - s), 0f, 1f);
            float q = Math.Clamp(v * (1f - s * f), 0f, 1f);
            float t = Math.Clamp(v * (1f - s * (1f - f)), 0f, 1f);
            (rp[i], gp[i], bp[i]) = sector switch
            {
                0 => (v, t, p),
                1 => (q, v, p),
                2 => (p, v, t),
                3 => (p, q, v),
                4 => (t, p, v),
                _ => (v, p, q),
            };
        }
    }
}
