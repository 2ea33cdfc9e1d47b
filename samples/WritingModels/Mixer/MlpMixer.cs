using Dsl;
using Dsl.Models.Blocks;

namespace WritingModels.Mixer;

/// <summary>
/// One MLP-Mixer layer (Tolstikhin et al. 2021): a token-mixing MLP across patches and a
/// channel-mixing MLP across features, each after a LayerNorm and with a residual. x: [B, T, C].
/// </summary>
[Model]
public partial class MixerBlock
{
    [Module] readonly LayerNorm norm1, norm2;
    [Module] readonly Linear tokenFc1, tokenFc2, channelFc1, channelFc2;

    /// <summary>A block for <paramref name="tokens"/> patches of <paramref name="dim"/> features.</summary>
    public MixerBlock(int tokens, int dim, int tokenHidden, int channelHidden)
    {
        norm1 = new LayerNorm(dim);
        tokenFc1 = new Linear(tokens, tokenHidden);
        tokenFc2 = new Linear(tokenHidden, tokens);
        norm2 = new LayerNorm(dim);
        channelFc1 = new Linear(dim, channelHidden);
        channelFc2 = new Linear(channelHidden, dim);
    }

    /// <summary>[B, T, C] → [B, T, C].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        // Token mixing works on [B, C, T]: each feature's values across the patches.
        var t = Ops.Permute(norm1.Forward(x), 0, 2, 1);
        t = tokenFc2.Forward(Ops.Gelu(tokenFc1.Forward(t)));
        x = x + Ops.Permute(t, 0, 2, 1);
        var c = channelFc2.Forward(Ops.Gelu(channelFc1.Forward(norm2.Forward(x))));
        return x + c;
    }
}

/// <summary>
/// MLP-Mixer for small images: a patch embedding (convolution with stride = patch), a stack of
/// <see cref="MixerBlock"/>s, LayerNorm, mean over patches and a linear head.
/// </summary>
[Model]
public partial class MlpMixer
{
    [Module] readonly Conv2d stem;
    [Module] readonly List<MixerBlock> blocks;
    [Module] readonly LayerNorm norm;
    [Module] readonly Linear head;
    readonly int dim;

    /// <summary>A mixer for <paramref name="size"/>² single-channel images cut into <paramref name="patch"/>² patches.</summary>
    public MlpMixer(int size = 28, int patch = 7, int dim = 32, int depth = 2, int classes = 10)
    {
        int tokens = (size / patch) * (size / patch);
        stem = new Conv2d(1, dim, patch, stride: patch);
        blocks = Enumerable.Range(0, depth).Select(_ => new MixerBlock(tokens, dim, 2 * tokens, 2 * dim)).ToList();
        norm = new LayerNorm(dim);
        head = new Linear(dim, classes);
        this.dim = dim;
    }

    /// <summary>Images [B, 1, H, W] → logits [B, classes].</summary>
    [Forward]
    public Tensor Forward(Tensor images)
    {
        var p = stem.Forward(images);                                  // [B, C, H/p, W/p]
        var x = Ops.Permute(Ops.Reshape(p, p.Shape[0], dim, -1), 0, 2, 1); // [B, T, C]
        foreach (var block in blocks) x = block.Forward(x);
        return head.Forward(Ops.Mean(norm.Forward(x), 1));
    }
}
