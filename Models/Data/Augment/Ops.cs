using System.Numerics.Tensors;

namespace Dsl.Models.Data.Augment;

/// <summary>
/// torchvision's <c>RandomResizedCrop</c>: a crop of random area (fraction <see cref="Scale"/> of the
/// image) and aspect ratio (log-uniform in <see cref="Ratio"/>), 10 tries then a centre crop,
/// resized bilinearly to <see cref="Height"/>×<see cref="Width"/>.
/// </summary>
/// <param name="Height">Output height.</param>
/// <param name="Width">Output width.</param>
/// <param name="Scale">Range of the crop's area as a fraction of the image (torchvision: (0.08, 1)).</param>
/// <param name="Ratio">Range of the crop's aspect ratio w/h (torchvision: (3/4, 4/3)).</param>
public sealed class RandomResizedCrop(int Height, int Width, (double Min, double Max) Scale, (double Min, double Max) Ratio) : Augmentation
{
    /// <summary>A square crop with torchvision's default scale (0.08, 1) and ratio (3/4, 4/3).</summary>
    public RandomResizedCrop(int size) : this(size, size, (0.08, 1.0), (3.0 / 4.0, 4.0 / 3.0)) { }

    /// <summary>A square crop with the given scale range and the default ratio.</summary>
    public RandomResizedCrop(int size, double minScale, double maxScale = 1.0) : this(size, size, (minScale, maxScale), (3.0 / 4.0, 4.0 / 3.0)) { }

    /// <summary>Output height.</summary>
    public int Height { get; } = Height;

    /// <summary>Output width.</summary>
    public int Width { get; } = Width;

    /// <summary>Area range.</summary>
    public (double Min, double Max) Scale { get; } = Scale;

    /// <summary>Aspect-ratio range.</summary>
    public (double Min, double Max) Ratio { get; } = Ratio;

    /// <summary>Draws the crop (top, left, height, width) for an image of the given size, as torchvision's get_params.</summary>
    public (int Top, int Left, int Height, int Width) DrawCrop(int height, int width, SampleRandom random)
    {
        double area = (double)height * width;
        double logMin = Math.Log(Ratio.Min), logMax = Math.Log(Ratio.Max);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * random.Uniform(Scale.Min, Scale.Max);
            double aspect = Math.Exp(random.Uniform(logMin, logMax));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (random.NextInt(height - h + 1), random.NextInt(width - w + 1), h, w);
        }
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < Ratio.Min) { cw = width; ch = (int)Math.Round(cw / Ratio.Min); }
        else if (inRatio > Ratio.Max) { ch = height; cw = (int)Math.Round(ch * Ratio.Max); }
        else { cw = width; ch = height; }
        ch = Math.Clamp(ch, 1, height);
        cw = Math.Clamp(cw, 1, width);
        return ((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <inheritdoc/>
    public override FloatImage Apply(FloatImage image, SampleRandom random)
    {
        var (top, left, h, w) = DrawCrop(image.Height, image.Width, random);
        var result = new FloatImage(image.Channels, Height, Width);
        Bilinear.ResizeCrop(image.Data, image.Channels, image.Height, image.Width, top, left, h, w, result.Data, Height, Width);
        return result;
    }

    /// <inheritdoc/>
    public override (int Channels, int Height, int Width) OutputShape(int channels, int height, int width) => (channels, Height, Width);
}

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
