using Dsl.Execution;
namespace Dsl;

public static partial class Ops
{
    /// <summary>
    /// Bilinear upsampling of [N, C, H, W] by an integer <paramref name="scale"/>
    /// (torch.nn.functional.interpolate(mode='bilinear', scale_factor=scale, align_corners=False)):
    /// output pixel o samples the input at (o + 0.5) / scale - 0.5, clamped at 0, between its two
    /// neighbours (the last one repeated at the edge). Bilinear is separable, so this is
    /// A_h · x · A_wᵀ with constant interpolation matrices A [H·scale, H] of two non-zeros per row:
    /// a composite of two matrix products, so every backend lowers it (DirectML as GEMMs) and its
    /// gradient (A_hᵀ · dy · A_w) comes from matmul's. It costs O(H) per output element rather than
    /// O(1): fine for the feature maps decoders upsample, not for megapixel images.
    /// </summary>
    [Differentiable]
    public static Tensor UpsampleBilinear2d(Tensor x, int scale)
    {
        if (x.Rank != 4)
            throw new ShapeException($"Shape error in {Where(x)}: upsample_bilinear2d needs [N,C,H,W], got {x.Type}");
        if (scale < 1)
            throw new ShapeException($"Shape error in {Where(x)}: upsample_bilinear2d needs an integer scale >= 1, got {scale}");
        if (!x.DType.IsFloat())
            throw new ShapeException($"Shape error in {Where(x)}: upsample_bilinear2d needs a floating-point input, got {x.Type}");
        var rows = Constant(x.Graph, BilinearWeights(x.Shape[2], scale, x.DType));
        var columns = Constant(x.Graph, BilinearWeights(x.Shape[3], scale, x.DType));
        var wide = MatMul(x, columns, transposeB: true);   // [N, C, H, W·scale]
        return MatMul(rows, wide);                         // [N, C, H·scale, W·scale]
    }

    /// <summary>The [size·scale, size] matrix of PyTorch's align_corners=False linear interpolation weights.</summary>
    static HostTensor BilinearWeights(int size, int scale, DType dtype)
    {
        int outSize = size * scale;
        var weights = new double[outSize * size];
        for (int o = 0; o < outSize; o++)
        {
            double source = Math.Max((o + 0.5) / scale - 0.5, 0);
            int lower = (int)source, upper = Math.Min(lower + 1, size - 1);
            double t = source - lower;
            weights[o * size + lower] += 1 - t;
            weights[o * size + upper] += t;
        }
        var shape = new Shape(outSize, size);
        return dtype == DType.Float64 ? HostTensor.F64(shape, weights) : HostTensor.F32(shape, [.. weights.Select(w => (float)w)]);
    }
}
