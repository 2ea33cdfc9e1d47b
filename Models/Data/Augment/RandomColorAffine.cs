using System.Numerics.Tensors;

namespace Dsl.Models.Data.Augment;

/// <summary>
/// The "random colour affine" of the Keras SimCLR example, per channel: with a contrast factor
/// drawn in [1 − contrast, 1 + contrast] and a brightness offset in [−brightness, brightness] for
/// each channel, x = clip((x − mean) · contrast + mean + brightness), mean being the channel mean.
/// </summary>
/// <param name="brightness">Largest brightness offset.</param>
/// <param name="contrast">Largest relative contrast change.</param>
public sealed class RandomColorAffine(double brightness = 0.6, double contrast = 0.2) : Augmentation
{
    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        for (int c = 0; c < image.Channels; c++)
        {
            float k = (float)random.Uniform(1 - contrast, 1 + contrast);
            float offset = (float)random.Uniform(-brightness, brightness);
            var plane = image.Plane(c);
            float mean = TensorPrimitives.Sum<float>(plane) / plane.Length;
            // (x - mean)·k + mean + offset = x·k + (mean·(1 - k) + offset)
            TensorPrimitives.Multiply(plane, k, plane);
            TensorPrimitives.Add(plane, mean * (1 - k) + offset, plane);
            Colour.Clip(plane);
        }
        return image;
    }
}
