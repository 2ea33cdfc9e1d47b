using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Training;
using Dsl.Models.Vision;

namespace Dsl.Models.Methods;

/// <summary>
/// MAE (He et al. 2021) as facebookresearch/mae's <c>models_mae.py</c>: a ViT encoder that sees only
/// the kept patches (random masking by argsort of noise), a light decoder that fills the masked
/// positions with a shared <c>mask_token</c> and un-shuffles with <c>ids_restore</c>, and a per-patch
/// MSE on the masked patches only (optionally against per-patch normalised pixels).
/// </summary>
/// <remarks>
/// Names equal the reference's state dict: the encoder's are timm's (<c>cls_token</c>,
/// <c>pos_embed</c>, <c>patch_embed.proj</c>, <c>blocks.i</c>, <c>norm</c>), the decoder's are
/// <c>decoder_embed</c>, <c>mask_token</c>, <c>decoder_pos_embed</c>, <c>decoder_blocks.i</c>,
/// <c>decoder_norm</c>, <c>decoder_pred</c>. Both position tables are fixed sin-cos buffers.
/// The noise that decides the mask is an input, so the graph itself is deterministic: the
/// training task draws it from the step's seed.
/// </remarks>
[Model]
public partial class MaskedAutoencoder
{
    [Parameter(Init.Normal)] readonly Tensor clsToken;
    [Buffer(Init.Zeros)] readonly Tensor posEmbed;
    [Module] readonly PatchEmbed patchEmbed;
    [Module] readonly List<Block> blocks;
    [Module] readonly LayerNorm norm;
    [Module] readonly Linear decoderEmbed;
    [Parameter(Init.Normal)] readonly Tensor maskToken;
    [Buffer(Init.Zeros)] readonly Tensor decoderPosEmbed;
    [Module] readonly List<Block> decoderBlocks;
    [Module] readonly LayerNorm decoderNorm;
    [Module] readonly Linear decoderPred;

    /// <summary>An MAE for <see cref="MaeConfig"/>.</summary>
    /// <exception cref="ArgumentException">The configuration is impossible (<see cref="MaeConfig.Problems"/>).</exception>
    public MaskedAutoencoder(MaeConfig config)
    {
        if (config.Problems() is { Count: > 0 } problems) throw new ArgumentException(string.Join(" ", problems), nameof(config));
        Config = config;
        int d = config.EncoderDim, dd = config.DecoderDim;
        clsToken = Param(1, 1, d);
        patchEmbed = new PatchEmbed(config.ImageSize, config.PatchSize, config.Channels, d);
        posEmbed = BufferOf(1, patchEmbed.NumPatches + 1, d);
        blocks = Enumerable.Range(0, config.EncoderDepth).Select(_ => new Block(d, config.EncoderHeads, config.MlpRatio)).ToList();
        norm = new LayerNorm(d, 1e-6);
        decoderEmbed = new Linear(d, dd);
        maskToken = Param(1, 1, dd);
        decoderPosEmbed = BufferOf(1, patchEmbed.NumPatches + 1, dd);
        decoderBlocks = Enumerable.Range(0, config.DecoderDepth).Select(_ => new Block(dd, config.DecoderHeads, config.MlpRatio)).ToList();
        decoderNorm = new LayerNorm(dd, 1e-6);
        decoderPred = new Linear(dd, config.PatchSize * config.PatchSize * config.Channels);
        NumPatches = patchEmbed.NumPatches;
        Keep = (int)(NumPatches * (1 - config.MaskRatio));
    }

    /// <summary>The configuration.</summary>
    public MaeConfig Config { get; }

    /// <summary>Patches per image (L).</summary>
    public int NumPatches { get; }

    /// <summary>Patches the encoder sees, ⌊L·(1 − mask ratio)⌋ as the reference.</summary>
    public int Keep { get; }

    /// <summary>
    /// [B, C, H, W] images and [B, L] uniform noise (the patches with the smallest noise are kept) →
    /// the loss, the predicted patches [B, L, p²·C] and the mask [B, L] (1 = masked).
    /// </summary>
    [Forward]
    public (Tensor Loss, Tensor Pred, Tensor Mask) Forward(Tensor images, Tensor noise)
    {
        var (idsKeep, idsRestore, mask) = RandomMasking(noise, Keep, Config.EncoderDim, Config.DecoderDim);
        var latent = ForwardEncoder(images, idsKeep);
        var pred = ForwardDecoder(latent, idsRestore);
        var target = Patchify(images, Config.PatchSize);
        if (Config.NormPixLoss) target = NormalizePatches(target);
        var perPatch = Ops.Mean((pred - target) * (pred - target), -1);
        var loss = Ops.Sum(perPatch * mask) / (pred.Shape[0] * (NumPatches - Keep));
        return (loss, pred, mask);
    }

    /// <summary>The encoder on the kept patches: [B, 1 + keep, dim] after the final norm.</summary>
    [Differentiable]
    Tensor ForwardEncoder(Tensor images, Tensor idsKeep)
    {
        var x = patchEmbed.Forward(images);
        int b = x.Shape[0], n = x.Shape[1], d = x.Shape[2];
        x = x + Ops.Slice(posEmbed, 1, 1, n + 1);
        x = Ops.TakeAlongAxis(x, idsKeep, 1);
        var cls = Ops.Expand(clsToken + Ops.Slice(posEmbed, 1, 0, 1), new Shape(b, 1, d));
        x = Ops.Concat(1, cls, x);
        foreach (var block in blocks) x = block.Forward(x);
        return norm.Forward(x);
    }

    /// <summary>The decoder: mask tokens at the masked positions, un-shuffled, → [B, L, p²·C].</summary>
    [Differentiable]
    Tensor ForwardDecoder(Tensor latent, Tensor idsRestore)
    {
        var x = decoderEmbed.Forward(latent);
        int b = x.Shape[0], kept = x.Shape[1] - 1, dd = x.Shape[2], n = idsRestore.Shape[1];
        var tokens = Ops.Concat(1, Ops.Slice(x, 1, 1, kept + 1), Ops.Expand(maskToken, new Shape(b, n - kept, dd)));
        tokens = Ops.TakeAlongAxis(tokens, idsRestore, 1);
        x = Ops.Concat(1, Ops.Slice(x, 1, 0, 1), tokens) + decoderPosEmbed;
        foreach (var block in decoderBlocks) x = block.Forward(x);
        x = decoderPred.Forward(decoderNorm.Forward(x));
        return Ops.Slice(x, 1, 1, n + 1);
    }

    /// <summary>
    /// MAE's <c>random_masking</c>: ids_shuffle = argsort(noise), ids_restore = argsort(ids_shuffle);
    /// the first <paramref name="keep"/> of ids_shuffle are kept. Returns the keep index expanded to
    /// [B, keep, dim], the restore index expanded to [B, L, decoderDim] (ready for take_along_axis)
    /// and the mask [B, L] (0 kept, 1 masked) in the original patch order.
    /// </summary>
    [NonDifferentiable]
    static (Tensor IdsKeep, Tensor IdsRestore, Tensor Mask) RandomMasking(Tensor noise, int keep, int dim, int decoderDim)
    {
        int b = noise.Shape[0], n = noise.Shape[1];
        var idsShuffle = Ops.Argsort(noise, 1);
        var idsRestore = Ops.Argsort(idsShuffle, 1);
        var idsKeep = Ops.Slice(idsShuffle, 1, 0, keep);
        // A patch is masked iff its rank in the shuffle is ≥ keep.
        var rank = Ops.Cast(idsRestore, noise.DType);
        var mask = Ops.Greater(rank, Ops.Full(noise.Graph, rank.Shape, keep - 0.5, noise.DType));
        return (Ops.Expand(Ops.Reshape(idsKeep, b, keep, 1), new Shape(b, keep, dim)),
            Ops.Expand(Ops.Reshape(idsRestore, b, n, 1), new Shape(b, n, decoderDim)),
            mask);
    }

    /// <summary>MAE's <c>patchify</c>: [B, C, H, W] → [B, L, p²·C], patch features ordered (row, column, channel).</summary>
    [Differentiable]
    public static Tensor Patchify(Tensor images, int patch)
    {
        int b = images.Shape[0], c = images.Shape[1], h = images.Shape[2] / patch, w = images.Shape[3] / patch;
        var x = Ops.Reshape(images, b, c, h, patch, w, patch);
        x = Ops.Permute(x, 0, 2, 4, 3, 5, 1);
        return Ops.Reshape(x, b, h * w, patch * patch * c);
    }

    /// <summary>MAE's <c>unpatchify</c>: [B, L, p²·C] → [B, C, H, W], the inverse of <see cref="Patchify"/> for square grids.</summary>
    public static Tensor Unpatchify(Tensor patches, int patch, int channels)
    {
        int b = patches.Shape[0], side = (int)Math.Round(Math.Sqrt(patches.Shape[1]));
        if (side * side != patches.Shape[1] || patches.Shape[2] != patch * patch * channels)
            throw new ShapeException($"Unpatchify needs [B, L, {patch}·{patch}·{channels}] with L a square, got {patches.Type}.");
        var x = Ops.Reshape(patches, b, side, side, patch, patch, channels);
        x = Ops.Permute(x, 0, 5, 1, 3, 2, 4);
        return Ops.Reshape(x, b, channels, side * patch, side * patch);
    }

    /// <summary>The norm-pix-loss target: each patch minus its mean over its unbiased standard deviation (ε = 1e-6 on the variance).</summary>
    [Differentiable]
    static Tensor NormalizePatches(Tensor target)
    {
        int p = target.Shape[2];
        var centered = target - Ops.Mean(target, -1, keepDims: true);
        var variance = Ops.Sum(centered * centered, -1, keepDims: true) / (p - 1);
        return centered * Ops.Rsqrt(variance + 1e-6);
    }

    /// <summary>
    /// Initial values as the reference's <c>initialize_weights</c>: sin-cos position tables,
    /// cls/mask tokens normal(0.02), every Linear weight and the patch projection (seen as
    /// [out, in·k·k]) Xavier-uniform, biases zero, LayerNorms ones/zeros.
    /// </summary>
    public Dictionary<string, HostTensor> Initialize(Registry registry, int seed, string prefix = "")
    {
        var values = Initializers.Initialize(registry, seed);
        string Name(string n) => prefix.Length == 0 ? n : prefix + "." + n;
        var rng = new Random(Seeds.Derive(seed, "mae.xavier"));
        foreach (var p in registry.Parameters)
            if (p.Value.Rank >= 2 && p.Name.EndsWith(".weight", StringComparison.Ordinal))
            {
                // xavier over the flattened [out, in·k·k] view, as MAE does for patch_embed.proj.
                var flat = new Shape(p.Value.Shape[0], (int)(p.Value.Shape.Numel / p.Value.Shape[0]));
                var v = Initializers.XavierUniform(flat, rng);
                values[p.Name] = p.Value.DType == DType.Float64 ? HostTensor.F64(p.Value.Shape, v.ToDoubles()) : HostTensor.F32(p.Value.Shape, (float[])v.Data);
            }
        values[Name("pos_embed")] = VisionTransformer.SinCosPosEmbed(Config.EncoderDim, patchEmbed.GridSize, true, registry.Buffers.Single(b => b.Name == Name("pos_embed")).Value.DType);
        values[Name("decoder_pos_embed")] = VisionTransformer.SinCosPosEmbed(Config.DecoderDim, patchEmbed.GridSize, true, registry.Buffers.Single(b => b.Name == Name("decoder_pos_embed")).Value.DType);
        return values;
    }
}
