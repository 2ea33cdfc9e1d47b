using Dsl.Execution;
using Dsl.Models.Blocks;

namespace Dsl.Models.Vision;

/// <summary>
/// The ViT encoder as in MAE (timm names): <c>cls_token</c> [1, 1, dim] (normal, std 0.02),
/// <c>pos_embed</c> [1, N+1, dim], <c>patch_embed.proj</c>, <c>blocks.{i}</c>, <c>norm</c>
/// (LayerNorm, eps 1e-6). No classification head.
/// </summary>
/// <remarks>
/// <c>pos_embed</c> is the fixed 2-D sin-cos table of MAE's <c>get_2d_sincos_pos_embed</c> with a
/// zero row for the class token. MAE keeps it as a parameter with <c>requires_grad=False</c>; here
/// it is a buffer named <c>pos_embed</c> (so checkpoint names match) and receives no gradient.
/// Its registry initialiser is <see cref="Init.Zeros"/>: fill it with <see cref="SinCosPosEmbed"/>,
/// or use <see cref="Initialize"/>, which does.
/// </remarks>
[Model]
public partial class VisionTransformer
{
    [Parameter(Init.Normal)] readonly Tensor clsToken;
    [Buffer(Init.Zeros)] readonly Tensor posEmbed;
    [Module] readonly PatchEmbed patchEmbed;
    [Module] readonly List<Block> blocks;
    [Module] readonly LayerNorm norm;

    /// <summary>An encoder for <paramref name="img"/>² images in <paramref name="patch"/>² patches (defaults: ViT-B/16).</summary>
    public VisionTransformer(int img = 224, int patch = 16, int inChans = 3, int dim = 768, int depth = 12, int heads = 12, double mlpRatio = 4.0, double eps = 1e-6)
    {
        if (dim % 4 != 0) throw new ArgumentException($"The 2-D sin-cos position embedding needs dim divisible by 4, got {dim}.", nameof(dim));
        clsToken = Param(1, 1, dim);
        patchEmbed = new PatchEmbed(img, patch, inChans, dim);
        posEmbed = BufferOf(1, patchEmbed.NumPatches + 1, dim);
        blocks = Enumerable.Range(0, depth).Select(_ => new Block(dim, heads, mlpRatio, eps)).ToList();
        norm = new LayerNorm(dim, eps);
        Dim = dim;
        GridSize = patchEmbed.GridSize;
    }

    /// <summary>Embedding width.</summary>
    public int Dim { get; }

    /// <summary>Patches per side.</summary>
    public int GridSize { get; }

    /// <summary>[B, C, H, W] images → [B, 1 + N, dim] tokens (class token first), after the final norm.</summary>
    [Forward]
    public Tensor Forward(Tensor images)
    {
        var x = patchEmbed.Forward(images);
        int b = x.Shape[0], n = x.Shape[1], d = x.Shape[2];
        x = x + Ops.Slice(posEmbed, 1, 1, n + 1);
        var cls = Ops.Expand(clsToken + Ops.Slice(posEmbed, 1, 0, 1), new Shape(b, 1, d));
        x = Ops.Concat(1, cls, x);
        foreach (var block in blocks) x = block.Forward(x);
        return norm.Forward(x);
    }

    /// <summary>
    /// MAE's <c>get_2d_sincos_pos_embed(dim, gridSize, cls_token)</c> as [1, (1 +) gridSize², dim]:
    /// row m = i·gridSize + j (patch row i, column j); the first dim/2 features encode j, the last
    /// dim/2 encode i (numpy's <c>meshgrid(grid_w, grid_h)</c> puts w first), each as
    /// [sin(p·ω_k) for k, cos(p·ω_k) for k] with ω_k = 1/10000^(k/(dim/4)), k &lt; dim/4. With
    /// <paramref name="clsToken"/>, a zero row comes first.
    /// </summary>
    public static HostTensor SinCosPosEmbed(int dim, int gridSize, bool clsToken = true, DType dtype = DType.Float32)
    {
        if (dim % 4 != 0) throw new ArgumentException($"dim must be divisible by 4, got {dim}.", nameof(dim));
        int quarter = dim / 4, offset = clsToken ? 1 : 0, rows = gridSize * gridSize + offset;
        var values = new double[rows * dim];
        for (int i = 0; i < gridSize; i++)
            for (int j = 0; j < gridSize; j++)
            {
                int row = (offset + i * gridSize + j) * dim;
                for (int k = 0; k < quarter; k++)
                {
                    // numpy computes ω in float64 (np.float) and the grid in float32; both exact here.
                    double omega = 1.0 / Math.Pow(10000, k / (double)quarter);
                    values[row + k] = Math.Sin(j * omega);
                    values[row + quarter + k] = Math.Cos(j * omega);
                    values[row + 2 * quarter + k] = Math.Sin(i * omega);
                    values[row + 3 * quarter + k] = Math.Cos(i * omega);
                }
            }
        var shape = new Shape(1, rows, dim);
        return dtype switch
        {
            DType.Float64 => HostTensor.F64(shape, values),
            DType.Float32 => HostTensor.F32(shape, values.Select(v => (float)v).ToArray()),
            _ => throw new ArgumentException($"Position embeddings are f32 or f64, not {dtype}.", nameof(dtype)),
        };
    }

    /// <summary>
    /// Initial values of every parameter and buffer of a registry holding this model (prefix
    /// <paramref name="prefix"/>): <see cref="Initializers.Initialize"/>, with <c>pos_embed</c>
    /// replaced by the sin-cos table.
    /// </summary>
    public Dictionary<string, HostTensor> Initialize(Registry registry, int seed, string prefix = "") => InitialValues(registry, seed, prefix);

    /// <summary>
    /// As <see cref="Initialize"/>, for a registry holding a ViT of any size: the width and grid come
    /// from its declared <c>pos_embed</c> [1, 1 + grid², dim].
    /// </summary>
    public static Dictionary<string, HostTensor> InitialValues(Registry registry, int seed, string prefix = "")
    {
        var values = Initializers.Initialize(registry, seed);
        string name = prefix.Length == 0 ? "pos_embed" : prefix + ".pos_embed";
        var declared = registry.Buffers.Single(b => b.Name == name).Value;
        int grid = (int)Math.Round(Math.Sqrt(declared.Shape[1] - 1));
        values[name] = SinCosPosEmbed(declared.Shape[2], grid, clsToken: true, declared.DType);
        return values;
    }
}
