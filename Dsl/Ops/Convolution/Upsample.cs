namespace Dsl;

public static partial class Ops
{
    /// <summary>
    /// Nearest-neighbour upsampling of [N, C, H, W] by an integer <paramref name="scale"/>
    /// (torch.nn.functional.interpolate(mode='nearest', scale_factor=scale)): each pixel repeated
    /// scale × scale times. A composite of reshape and expand, so every backend lowers it, and its
    /// gradient (each output block summed back) comes from expand's.
    /// </summary>
    [Differentiable]
    public static Tensor UpsampleNearest2d(Tensor x, int scale)
    {
        if (x.Rank != 4)
            throw new ShapeException($"Shape error in {Where(x)}: upsample_nearest2d needs [N,C,H,W], got {x.Type}");
        if (scale < 1)
            throw new ShapeException($"Shape error in {Where(x)}: upsample_nearest2d needs an integer scale >= 1, got {scale}");
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3];
        var repeated = Expand(Reshape(x, n, c, h, 1, w, 1), new Shape(n, c, h, scale, w, scale));
        return Reshape(repeated, n, c, h * scale, w * scale);
    }
}
