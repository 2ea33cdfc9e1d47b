using static TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>timm's ViT pieces (patch embedding, pre-norm blocks, LayerNorm eps 1e-6), by the DSL's parameter names.</summary>
static class Transformers
{
    /// <summary>[B, C, H, W] → [B, N, dim]: a patch-sized, patch-strided convolution, flattened row-major.</summary>
    public static TT PatchEmbed(TorchParameters p, TT images, string prefix, int patch)
    {
        var y = conv2d(images, p[$"{prefix}.proj.weight"], p[$"{prefix}.proj.bias"], strides: [patch, patch]);
        return y.flatten(2).transpose(1, 2);
    }

    public static TT LayerNorm(TorchParameters p, string prefix, TT x) =>
        layer_norm(x, [x.shape[^1]], p[$"{prefix}.weight"], p[$"{prefix}.bias"], eps: 1e-6);

    /// <summary>The blocks <paramref name="prefix"/>.0, .1, … in order.</summary>
    public static TT Blocks(TorchParameters p, TT x, string prefix, int heads)
    {
        for (int i = 0; p.Has($"{prefix}.{i}.norm1.weight"); i++) x = Block(p, $"{prefix}.{i}", x, heads);
        return x;
    }

    /// <summary>x + attn(norm1(x)), then x + mlp(norm2(x)).</summary>
    static TT Block(TorchParameters p, string prefix, TT x, int heads)
    {
        x = x + Attention(p, $"{prefix}.attn", LayerNorm(p, $"{prefix}.norm1", x), heads);
        var h = gelu(linear(LayerNorm(p, $"{prefix}.norm2", x), p[$"{prefix}.mlp.fc1.weight"], p[$"{prefix}.mlp.fc1.bias"]));
        return x + linear(h, p[$"{prefix}.mlp.fc2.weight"], p[$"{prefix}.mlp.fc2.bias"]);
    }

    /// <summary>timm's fused attention path: qkv, scaled_dot_product_attention per head, proj.</summary>
    static TT Attention(TorchParameters p, string prefix, TT x, int heads)
    {
        long b = x.shape[0], n = x.shape[1], c = x.shape[2];
        var qkv = linear(x, p[$"{prefix}.qkv.weight"], p[$"{prefix}.qkv.bias"]).reshape(b, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4);
        var o = scaled_dot_product_attention(qkv[0], qkv[1], qkv[2]);
        return linear(o.transpose(1, 2).reshape(b, n, c), p[$"{prefix}.proj.weight"], p[$"{prefix}.proj.bias"]);
    }

    /// <summary>The class token plus its position row, for every image: [B, 1, dim].</summary>
    public static TT ClassToken(TorchParameters p, long batch, string clsName, TT posEmbed) =>
        (p[clsName] + posEmbed.narrow(1, 0, 1)).expand(batch, -1, -1);
}
