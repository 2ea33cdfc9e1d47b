using System.Numerics.Tensors;

namespace Dsl.Models.Data.Augment;

/// <summary>
/// torchvision's <c>GaussianBlur</c>: σ drawn uniformly in [<paramref name="sigmaMin"/>,
/// <paramref name="sigmaMax"/>], a separable kernel of <paramref name="kernelSize"/> taps, reflect padding.
/// </summary>
/// <param name="kernelSize">Odd number of taps.</param>
/// <param name="sigmaMin">Smallest σ in pixels.</param>
/// <param name="sigmaMax">Largest σ in pixels.</param>
public sealed class GaussianBlur(int kernelSize, double sigmaMin = 0.1, double sigmaMax = 2.0) : Augmentation
{
    readonly int _k = kernelSize > 0 && kernelSize % 2 == 1 ? kernelSize : throw new ArgumentException("Kernel size must be odd and positive.", nameof(kernelSize));

    /// <summary>An odd kernel size of about 10% of <paramref name="imageSize"/> (SimCLR), at least 3.</summary>
    public static int KernelFor(int imageSize) => Math.Max(3, imageSize / 10 | 1);

    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random) => Blur(image, (float)random.Uniform(sigmaMin, sigmaMax), _k);

    /// <summary>Blurs in place with a fixed σ.</summary>
    public static FloatImage Blur(FloatImage image, float sigma, int kernelSize)
    {
        int r = kernelSize / 2, h = image.Height, w = image.Width;
        var kernel = new float[kernelSize];
        for (int t = 0; t < kernelSize; t++)
        {
            float x = (t - r) / sigma;
            kernel[t] = MathF.Exp(-0.5f * x * x);
        }
        TensorPrimitives.Divide(kernel, TensorPrimitives.Sum<float>(kernel), kernel);
        var padded = new float[w + 2 * r];
        var tmp = new float[h * w];
        for (int c = 0; c < image.Channels; c++)
        {
            var plane = image.Plane(c);
            for (int y = 0; y < h; y++)
            {
                var row = plane.Slice(y * w, w);
                for (int i = 0; i < padded.Length; i++) padded[i] = row[Reflect(i - r, w)];
                var dst = tmp.AsSpan(y * w, w);
                TensorPrimitives.Multiply(padded.AsSpan(0, w), kernel[0], dst);
                for (int t = 1; t < kernelSize; t++) TensorPrimitives.MultiplyAdd(padded.AsSpan(t, w), kernel[t], dst, dst);
            }
            for (int y = 0; y < h; y++)
            {
                var dst = plane.Slice(y * w, w);
                TensorPrimitives.Multiply(tmp.AsSpan(Reflect(y - r, h) * w, w), kernel[0], dst);
                for (int t = 1; t < kernelSize; t++) TensorPrimitives.MultiplyAdd(tmp.AsSpan(Reflect(y - r + t, h) * w, w), kernel[t], dst, dst);
            }
        }
        return image;
    }

    /// <summary>Reflect padding (no edge repeat), folded as often as needed.</summary>
    static int Reflect(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }
}
