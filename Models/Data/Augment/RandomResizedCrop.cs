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
