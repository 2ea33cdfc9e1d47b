using System.Numerics.Tensors;

namespace Dsl.Models.Data.Augment;

/// <summary>Per-channel standardisation x = (x − mean[c]) / std[c]; one value applies to every channel.</summary>
public sealed class Normalize : Augmentation
{
    readonly float[] _mean, _std;

    /// <summary>Creates the transformation.</summary>
    /// <param name="mean">One mean per channel, or a single mean.</param>
    /// <param name="std">One standard deviation per channel, or a single one.</param>
    public Normalize(float[] mean, float[] std)
    {
        if (mean.Length == 0 || std.Length == 0 || std.Any(s => s <= 0)) throw new ArgumentException("Need at least one mean and positive standard deviations.");
        _mean = mean;
        _std = std;
    }

    /// <summary>ImageNet statistics (RGB).</summary>
    public static Normalize ImageNet() => new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        for (int c = 0; c < image.Channels; c++)
        {
            float m = Pick(_mean, c, image.Channels), s = Pick(_std, c, image.Channels);
            var plane = image.Plane(c);
            TensorPrimitives.Subtract(plane, m, plane);
            TensorPrimitives.Divide(plane, s, plane);
        }
        return image;
    }

    static float Pick(float[] values, int c, int channels) =>
        values.Length == 1 ? values[0]
        : values.Length == channels ? values[c]
        : channels == 1 ? values.Average()
        : throw new InvalidOperationException($"Normalize has {values.Length} values for a {channels}-channel image.");
}
