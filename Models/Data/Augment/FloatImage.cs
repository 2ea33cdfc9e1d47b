namespace Dsl.Models.Data.Augment;

/// <summary>A mutable CHW float image (pixels normally in [0, 1]) that augmentations work on.</summary>
public sealed class FloatImage
{
    /// <summary>Creates an image over <paramref name="data"/> (not copied).</summary>
    /// <exception cref="ArgumentException">The data length does not match the shape.</exception>
    public FloatImage(float[] data, int channels, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (channels <= 0 || height <= 0 || width <= 0 || data.Length != channels * height * width)
            throw new ArgumentException($"A {channels}x{height}x{width} image needs {channels * height * width} floats, got {data.Length}.");
        Data = data;
        Channels = channels;
        Height = height;
        Width = width;
    }

    /// <summary>A zero image of the given shape.</summary>
    public FloatImage(int channels, int height, int width) : this(new float[channels * height * width], channels, height, width) { }

    /// <summary>A copy of CHW pixels.</summary>
    public static FloatImage From(ReadOnlySpan<float> chw, int channels, int height, int width) => new(chw.ToArray(), channels, height, width);

    /// <summary>The pixels, CHW.</summary>
    public float[] Data { get; }

    /// <summary>Number of channels (1 or 3 for the colour operations).</summary>
    public int Channels { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Pixels per channel.</summary>
    public int PlaneSize => Height * Width;

    /// <summary>The pixels of channel <paramref name="c"/>.</summary>
    public Span<float> Plane(int c) => Data.AsSpan(c * PlaneSize, PlaneSize);

    /// <summary>A deep copy.</summary>
    public FloatImage Clone() => new((float[])Data.Clone(), Channels, Height, Width);
}
