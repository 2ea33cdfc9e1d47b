using Dsl.Bench.Rows;
using Dsl.Execution;
using Dsl.Models.Methods;
using TorchSharp;
using static TorchSharp.torch.nn.functional;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Bench.Reference;

/// <summary>
/// MAE by hand, as facebookresearch/mae's <c>models_mae.py</c>: random masking by argsort of noise,
/// the encoder on the kept patches, the decoder with mask tokens un-shuffled, MSE on the masked
/// patches. The noise is the DSL step's own: drawn as Backend.Torch draws it from (seed, step).
/// </summary>
sealed class MaeReference : TorchStep
{
    readonly MaeConfig config;
    readonly int stream, patches, keep;

    public MaeReference(ReferenceSetup setup, MaeConfig config) : base(setup)
    {
        this.config = config;
        int grid = config.ImageSize / config.PatchSize;
        patches = grid * grid;
        keep = (int)(patches * (1 - config.MaskRatio));
        stream = RandomDraws.UniformStream(setup.StepGraph, new Shape(BatchSize(setup), patches));
    }

    static int BatchSize(ReferenceSetup setup) => setup.StepGraph[MaeTask.ImagesInput].Shape[0];

    protected override StepTensors Forward(IReadOnlyDictionary<string, HostTensor> batch)
    {
        var p = Parameters;
        var images = Host.Input(batch, MaeTask.ImagesInput);
        long b = images.shape[0];
        var noise = RandomDraws.Uniform(new Shape((int)b, patches), Seed, Step, stream);
        var idsShuffle = noise.argsort(1);
        var idsRestore = idsShuffle.argsort(1);
        var idsKeep = idsShuffle.narrow(1, 0, keep);
        var mask = idsRestore.ge(keep).to_type(torch.ScalarType.Float32);

        // Encoder on the kept patches.
        var posEmbed = p["pos_embed"];
        var x = Transformers.PatchEmbed(p, images, "patch_embed", config.PatchSize) + posEmbed.narrow(1, 1, patches);
        x = x.gather(1, idsKeep.unsqueeze(-1).expand(-1, -1, x.shape[2]));
        x = torch.cat([Transformers.ClassToken(p, b, "cls_token", posEmbed), x], 1);
        x = Transformers.LayerNorm(p, "norm", Transformers.Blocks(p, x, "blocks", config.EncoderHeads));

        // Decoder: mask tokens appended, un-shuffled, position table added.
        x = linear(x, p["decoder_embed.weight"], p["decoder_embed.bias"]);
        long dd = x.shape[2];
        var tokens = torch.cat([x.narrow(1, 1, keep), p["mask_token"].expand(b, patches - keep, dd)], 1);
        tokens = tokens.gather(1, idsRestore.unsqueeze(-1).expand(-1, -1, dd));
        x = torch.cat([x.narrow(1, 0, 1), tokens], 1) + p["decoder_pos_embed"];
        x = Transformers.LayerNorm(p, "decoder_norm", Transformers.Blocks(p, x, "decoder_blocks", config.DecoderHeads));
        var pred = linear(x, p["decoder_pred.weight"], p["decoder_pred.bias"]).narrow(1, 1, patches);

        var target = Patchify(images, config.PatchSize);
        if (config.NormPixLoss)
        {
            var mean = target.mean([-1], keepdim: true);
            var variance = target.var(-1, keepdim: true);
            target = (target - mean) / (variance + 1e-6).sqrt();
        }
        var perPatch = (pred - target).pow(2).mean([-1]);
        return new StepTensors((perPatch * mask).sum() / mask.sum());
    }

    /// <summary>[B, C, H, W] → [B, L, p²·C], patch features ordered (row, column, channel).</summary>
    static TT Patchify(TT images, int patch)
    {
        long b = images.shape[0], c = images.shape[1], h = images.shape[2] / patch, w = images.shape[3] / patch;
        return images.reshape(b, c, h, patch, w, patch).permute(0, 2, 4, 3, 5, 1).reshape(b, h * w, patch * patch * c);
    }
}
