namespace Dsl.Models.Data;

/// <summary>
/// A set of <see cref="Count"/> images of <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>
/// float pixels in [0, 1], stored image after image in CHW order (channel planes, each row-major),
/// with optional class labels and class names. Every reader in this folder returns one; a linear
/// probe holds its frozen feature rows in one too (1×1×dim "images", any float values).
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Creates a data set over existing pixels (not copied).</summary>
    /// <param name="pixels">Count·Channels·Height·Width floats, CHW per image.</param>
    /// <param name="count">Number of images.</param>
    /// <param name="channels">Channels per image (1 = grey, 3 = RGB).</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="labels">One class index per image, or null for an unlabelled set.</param>
    /// <param name="classNames">Class names by label (may be empty).</param>
    /// <exception cref="ArgumentException">The sizes disagree.</exception>
    public ImageDataset(float[] pixels, int count, int channels, int height, int width, int[]? labels, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (count < 0 || channels <= 0 || height <= 0 || width <= 0)
            throw new ArgumentException($"Invalid shape {count}x{channels}x{height}x{width}.");
        if (pixels.LongLength != (long)count * channels * height * width)
            throw new ArgumentException($"{count} images of {channels}x{height}x{width} need {(long)count * channels * height * width} pixels, got {pixels.LongLength}.");
        if (labels is not null && labels.Length != count)
            throw new ArgumentException($"{count} images but {labels.Length} labels.");
        Pixels = pixels;
        Count = count;
        Channels = channels;
        Height = height;
        Width = width;
        Labels = labels;
        ClassNames = classNames ?? [];
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Channels per image (1 for grey, 3 for RGB).</summary>
    public int Channels { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Floats per image (Channels·Height·Width).</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>All pixels in [0, 1], image after image, CHW.</summary>
    public float[] Pixels { get; }

    /// <summary>Class index of each image, or null when the set is unlabelled.</summary>
    public int[]? Labels { get; }

    /// <summary>Class names by label; empty when unknown.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The CHW pixels of image <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Image(int index) => Pixels.AsSpan(checked(index * ImageSize), ImageSize);

    /// <summary>
    /// Copies the images at <paramref name="indices"/> into a flattened NCHW batch and their labels
    /// into <paramref name="y"/> (-1 for every image when the set is unlabelled).
    /// </summary>
    /// <exception cref="ArgumentException">The spans have the wrong length.</exception>
    public void FillBatch(ReadOnlySpan<int> indices, Span<float> x, Span<long> y)
    {
        if (x.Length != indices.Length * ImageSize || y.Length != indices.Length)
            throw new ArgumentException($"A batch of {indices.Length} needs {indices.Length * ImageSize} pixels and {indices.Length} labels, got {x.Length} and {y.Length}.");
        for (int b = 0; b < indices.Length; b++)
        {
            Image(indices[b]).CopyTo(x.Slice(b * ImageSize, ImageSize));
            y[b] = Labels is null ? -1 : Labels[indices[b]];
        }
    }

    /// <summary>The first <paramref name="count"/> images (pixels copied).</summary>
    public ImageDataset Take(int count)
    {
        count = Math.Clamp(count, 0, Count);
        return new ImageDataset(Pixels.AsSpan(0, count * ImageSize).ToArray(), count, Channels, Height, Width, Labels?[..count], ClassNames);
    }

    /// <summary>Converts bytes 0..255 to floats in [0, 1] (x / 255).</summary>
    internal static void ToUnit(ReadOnlySpan<byte> source, Span<float> destination)
    {
        for (int i = 0; i < source.Length; i++) destination[i] = source[i] / 255f;
    }
}
