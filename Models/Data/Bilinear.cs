namespace Dsl.Models.Data;

/// <summary>
/// Bilinear resampling of CHW float images with half-pixel centres (PyTorch's
/// <c>align_corners=False</c>, no antialiasing), edges clamped.
/// </summary>
public static class Bilinear
{
    /// <summary>Resizes a whole image.</summary>
    public static void Resize(ReadOnlySpan<float> source, int channels, int height, int width, Span<float> destination, int outHeight, int outWidth) =>
        ResizeCrop(source, channels, height, width, 0, 0, height, width, destination, outHeight, outWidth);

    /// <summary>
    /// Resizes the crop of <paramref name="cropHeight"/>×<paramref name="cropWidth"/> pixels at
    /// (<paramref name="top"/>, <paramref name="left"/>) to <paramref name="outHeight"/>×<paramref name="outWidth"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The crop lies outside the image or a span is too short.</exception>
    public static void ResizeCrop(ReadOnlySpan<float> source, int channels, int height, int width,
        int top, int left, int cropHeight, int cropWidth, Span<float> destination, int outHeight, int outWidth)
    {
        if (top < 0 || left < 0 || cropHeight <= 0 || cropWidth <= 0 || top + cropHeight > height || left + cropWidth > width)
            throw new ArgumentException($"Crop {cropHeight}x{cropWidth} at ({top}, {left}) is outside a {height}x{width} image.");
        if (source.Length < channels * height * width || destination.Length < channels * outHeight * outWidth)
            throw new ArgumentException("Source or destination span too short.");
        Span<int> x0 = outWidth <= 512 ? stackalloc int[outWidth] : new int[outWidth];
        Span<int> x1 = outWidth <= 512 ? stackalloc int[outWidth] : new int[outWidth];
        Span<float> fx = outWidth <= 512 ? stackalloc float[outWidth] : new float[outWidth];
        float sx = (float)cropWidth / outWidth, sy = (float)cropHeight / outHeight;
        for (int x = 0; x < outWidth; x++)
        {
            float p = Math.Max((x + 0.5f) * sx - 0.5f, 0f);
            int i = Math.Min((int)p, cropWidth - 1);
            x0[x] = left + i;
            x1[x] = left + Math.Min(i + 1, cropWidth - 1);
            fx[x] = p - i;
        }
        for (int y = 0; y < outHeight; y++)
        {
            float p = Math.Max((y + 0.5f) * sy - 0.5f, 0f);
            int j = Math.Min((int)p, cropHeight - 1);
            int y0 = top + j, y1 = top + Math.Min(j + 1, cropHeight - 1);
            float fy = p - j;
            for (int c = 0; c < channels; c++)
            {
                var r0 = source.Slice((c * height + y0) * width, width);
                var r1 = source.Slice((c * height + y1) * width, width);
                var dst = destination.Slice((c * outHeight + y) * outWidth, outWidth);
                for (int x = 0; x < outWidth; x++)
                {
                    float a = r0[x0[x]] + (r0[x1[x]] - r0[x0[x]]) * fx[x];
                    float b = r1[x0[x]] + (r1[x1[x]] - r1[x0[x]]) * fx[x];
                    dst[x] = a + (b - a) * fy;
                }
            }
        }
    }
}
