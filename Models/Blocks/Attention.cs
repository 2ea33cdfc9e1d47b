namespace Dsl.Models.Blocks;

/// <summary>
/// timm's multi-head self-attention: <c>qkv</c> (dim → 3·dim, with bias as in ViT/MAE), scaled
/// dot-product attention per head (one <c>attention</c> op, scale 1/√head_dim), <c>proj</c> (dim → dim).
/// </summary>
[Model]
public partial class Attention
{
    [Module] readonly Linear qkv, proj;
    readonly int heads;

    /// <summary>Attention over [B, N, <paramref name="dim"/>] with <paramref name="heads"/> heads (dim divisible by heads).</summary>
    public Attention(int dim, int heads, bool qkvBias = true)
    {
        if (heads <= 0 || dim % heads != 0) throw new ArgumentException($"dim {dim} must be divisible by heads {heads}.", nameof(heads));
        qkv = new Linear(dim, 3 * dim, qkvBias);
        proj = new Linear(dim, dim);
        this.heads = heads;
    }

    /// <summary>[B, N, dim] → [B, N, dim].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        int b = x.Shape[0], n = x.Shape[1], c = x.Shape[2];
        int hd = c / heads;
        var h = Ops.Permute(Ops.Reshape(qkv.Forward(x), b, n, 3, heads, hd), 2, 0, 3, 1, 4);
        var q = Ops.Reshape(Ops.Slice(h, 0, 0, 1), b, heads, n, hd);
        var k = Ops.Reshape(Ops.Slice(h, 0, 1, 2), b, heads, n, hd);
        var v = Ops.Reshape(Ops.Slice(h, 0, 2, 3), b, heads, n, hd);
        var o = Ops.Reshape(Ops.Permute(Ops.Attention(q, k, v), 0, 2, 1, 3), b, n, c);
        return proj.Forward(o);
    }
}
