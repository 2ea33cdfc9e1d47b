using StbImageWriteSharp;

namespace Dsl.Cli;

/// <summary>
/// A PNG of images laid out in rows and columns (CHW floats in [0, 1]; grey images are drawn grey),
/// each scaled up by an integer factor with nearest-neighbour sampling so small images stay legible.
/// </summary>
sealed class ImageGrid(int rows, int columns, int height, int width, int scale = 3, int gap = 2)
{
    readonly byte[] rgb = CreateCanvas(rows, columns, height, width, scale, gap);

    int CanvasWidth => columns * (width * scale + gap) + gap;
    int CanvasHeight => rows * (height * scale + gap) + gap;

    static byte[] CreateCanvas(int rows, int columns, int height, int width, int scale, int gap)
    {
        var canvas = new byte[(columns * (width * scale + gap) + gap) * (rows * (height * scale + gap) + gap) * 3];
        Array.Fill(canvas, (byte)255);
        return canvas;
    }

    /// <summary>Draws CHW pixels (1 or 3 channels, <c>height</c>×<c>width</c>) into cell (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public void Set(int row, int column, ReadOnlySpan<float> chw, int channels)
    {
        if (channels is not (1 or 3) || chw.Length != channels * height * width)
            throw new ArgumentException($"Expected a 1- or 3-channel {height}x{width} image, got {chw.Length} values for {channels} channels.");
        int plane = height * width, x0 = gap + column * (width * scale + gap), y0 = gap + row * (height * scale + gap);
        for (int y = 0; y < height * scale; y++)
            for (int x = 0; x < width * scale; x++)
            {
                int source = y / scale * width + x / scale, target = ((y0 + y) * CanvasWidth + x0 + x) * 3;
                for (int c = 0; c < 3; c++)
                    rgb[target + c] = (byte)Math.Clamp(MathF.Round(chw[(channels == 1 ? 0 : c) * plane + source] * 255f), 0, 255);
            }
    }

    /// <summary>Writes the grid as a PNG (creating the folder).</summary>
    public void Save(string path)
    {
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder) Directory.CreateDirectory(folder);
        using var stream = File.Create(path);
        new ImageWriter().WritePng(rgb, CanvasWidth, CanvasHeight, ColorComponents.RedGreenBlue, stream);
    }
}
