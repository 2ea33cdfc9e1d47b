namespace Dsl.Models.Blocks;

/// <summary>
/// timm's pre-norm ViT <c>Block</c>: x + attn(norm1(x)), then x + mlp(norm2(x)); parameters
/// <c>norm1</c>, <c>attn.qkv</c>, <c>attn.proj</c>, <c>norm2</c>, <c>mlp.fc1</c>, <c>mlp.fc2</c>.
/// No layer scale, dropout or drop path (as MAE's encoder).
/// </summary>
[Model]
public partial class Block
{
    [Module] readonly LayerNorm norm1;
    [Module] readonly Attention attn;
    [Module] readonly LayerNorm norm2;
    [Module] readonly Mlp mlp;

    /// <summary>A block of width <paramref name="dim"/>, MLP hidden width dim·<paramref name="mlpRatio"/>, LayerNorm epsilon <paramref name="eps"/> (1e-6 as timm's ViT and MAE).</summary>
    public Block(int dim, int heads, double mlpRatio = 4.0, double eps = 1e-6)
    {
        norm1 = new LayerNorm(dim, eps);
        attn = new Attention(dim, heads);
        norm2 = new LayerNorm(dim, eps);
        mlp = new Mlp(dim, (int)(dim * mlpRatio));
    }

    /// <summary>[B, N, dim] → [B, N, dim].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        x = x + attn.Forward(norm1.Forward(x));
        x = x + mlp.Forward(norm2.Forward(x));
        return x;
    }
}
