using System.Numerics.Tensors;

namespace Dsl.Models.Data.Augment;

/// <summary>
/// One random image transformation. Each call draws its own parameters from the sample's
/// <see cref="SampleRandom"/>, so every image of a batch is transformed independently
/// (unlike TorchSharp's transforms, which draw once per batch).
/// </summary>
public abstract class Augmentation
{
    /// <summary>
    /// Transforms <paramref name="image"/>, drawing parameters from <paramref name="random"/>.
    /// May change the image in place and return it, or return a new image.
    /// </summary>
    public abstract FloatImage Apply(FloatImage image, SampleRandom random);

    /// <summary>The output shape for an input of the given shape (default: unchanged).</summary>
    public virtual (int Channels, int Height, int Width) OutputShape(int channels, int height, int width) => (channels, height, width);
}

/// <summary>Shared colour helpers (ITU-R 601 luma weights, as torchvision).</summary>
static class Colour
{
    public const float R = 0.2989f, G = 0.587f, B = 0.114f;

    /// <summary>The grey plane of an image (the image itself for one channel).</summary>
    public static float[] Grey(FloatImage image)
    {
        var grey = new float[image.PlaneSize];
        if (image.Channels < 3)
        {
            image.Plane(0).CopyTo(grey);
            return grey;
        }
        TensorPrimitives.Multiply(image.Plane(0), R, grey);
        TensorPrimitives.MultiplyAdd(image.Plane(1), G, grey, grey);
        TensorPrimitives.MultiplyAdd(image.Plane(2), B, grey, grey);
        return grey;
    }

    /// <summary>Clips to [0, 1] in place.</summary>
    public static void Clip(Span<float> x)
    {
        TensorPrimitives.Max(x, 0f, x);
        TensorPrimitives.Min(x, 1f, x);
    }

    /// <summary>x = clip(ratio·x + (1 − ratio)·other).</summary>
    public static void Blend(Span<float> x, float other, float ratio)
    {
        TensorPrimitives.Multiply(x, ratio, x);
        TensorPrimitives.Add(x, (1 - ratio) * other, x);
        Clip(x);
    }

    /// <summary>x = clip(ratio·x + (1 − ratio)·other).</summary>
    public static void Blend(Span<float> x, ReadOnlySpan<float> other, float ratio)
    {
        TensorPrimitives.Multiply(x, ratio, x);
        TensorPrimitives.MultiplyAdd(other, 1 - ratio, x, x);
        Clip(x);
    }
}
