namespace Dsl.Models.Blocks;

/// <summary>
/// timm's <c>PatchEmbed</c>: a convolution <c>proj</c> with kernel = stride = patch (with bias),
/// then flattening the patch grid: [B, C, H, W] → [B, N, dim], N = (img/patch)².
/// </summary>
[Model]
public partial class PatchEmbed
{
    [Module] readonly Conv2d proj;

    /// <summary>Patches of <paramref name="patch"/>² pixels of <paramref name="img"/>² images with <paramref name="inChans"/> channels, embedded in <paramref name="dim"/> features.</summary>
    public PatchEmbed(int img, int patch, int inChans, int dim)
    {
        if (patch <= 0 || img % patch != 0) throw new ArgumentException($"Image size {img} must be a multiple of the patch size {patch}.", nameof(patch));
        proj = new Conv2d(inChans, dim, patch, stride: patch);
        GridSize = img / patch;
    }

    /// <summary>Patches per side.</summary>
    public int GridSize { get; }

    /// <summary>Number of patches N.</summary>
    public int NumPatches => GridSize * GridSize;

    /// <summary>[B, C, H, W] → [B, N, dim] (patches in row-major order).</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var y = proj.Forward(x);
        int b = y.Shape[0], d = y.Shape[1], n = y.Shape[2] * y.Shape[3];
        return Ops.Permute(Ops.Reshape(y, b, d, n), 0, 2, 1);
    }
}
