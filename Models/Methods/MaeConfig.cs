namespace Dsl.Models.Methods;

/// <summary>
/// An MAE architecture and its masking: encoder and decoder ViT sizes, patch size, mask ratio and
/// whether the loss targets per-patch normalised pixels (MAE's <c>norm_pix_loss</c>).
/// </summary>
/// <param name="ImageSize">Input height and width (square images).</param>
/// <param name="PatchSize">Patch height and width.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="EncoderDim">Encoder embedding width.</param>
/// <param name="EncoderDepth">Encoder blocks.</param>
/// <param name="EncoderHeads">Encoder attention heads.</param>
/// <param name="DecoderDim">Decoder embedding width.</param>
/// <param name="DecoderDepth">Decoder blocks.</param>
/// <param name="DecoderHeads">Decoder attention heads.</param>
/// <param name="MlpRatio">MLP hidden width over the embedding width (encoder and decoder).</param>
/// <param name="MaskRatio">Fraction of patches hidden from the encoder.</param>
/// <param name="NormPixLoss">Regress per-patch normalised pixels instead of raw ones.</param>
public sealed record MaeConfig(int ImageSize, int PatchSize, int Channels, int EncoderDim, int EncoderDepth, int EncoderHeads,
    int DecoderDim, int DecoderDepth, int DecoderHeads, double MlpRatio = 4.0, double MaskRatio = 0.75, bool NormPixLoss = false)
{
    /// <summary>
    /// The Keras MAE example (keras.io/examples/vision/masked_image_modeling): 32×32 images upscaled to
    /// 48, patch 6, mask 0.75, encoder 6 layers of width 128 with 4 heads and MLP 256, decoder 2 layers of 64.
    /// </summary>
    public static MaeConfig Keras(int channels = 3) => new(48, 6, channels, 128, 6, 4, 64, 2, 4, MlpRatio: 2.0);

    /// <summary>The paper's MAE ViT-B/16 (<c>mae_vit_base_patch16_dec512d8b</c>).</summary>
    public static MaeConfig VitBase16 { get; } = new(224, 16, 3, 768, 12, 12, 512, 8, 16);

    /// <summary>The paper's MAE ViT-L/16 (<c>mae_vit_large_patch16_dec512d8b</c>).</summary>
    public static MaeConfig VitLarge16 { get; } = new(224, 16, 3, 1024, 24, 16, 512, 8, 16);

    /// <summary>The paper's MAE ViT-H/14 (<c>mae_vit_huge_patch14_dec512d8b</c>).</summary>
    public static MaeConfig VitHuge14 { get; } = new(224, 14, 3, 1280, 32, 16, 512, 8, 16);

    /// <summary>
    /// The small configuration trained by default on 28×28 Fashion-MNIST: patch 4 (49 patches),
    /// encoder 6×128 with 4 heads and MLP 256 as the Keras example, decoder 2×64.
    /// </summary>
    public static MaeConfig FashionMnist { get; } = new(28, 4, 1, 128, 6, 4, 64, 2, 4, MlpRatio: 2.0, MaskRatio: 0.75, NormPixLoss: false);
}
