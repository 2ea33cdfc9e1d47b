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

    /// <summary>Patches per image.</summary>
    public int NumPatches => PatchSize > 0 ? (ImageSize / PatchSize) * (ImageSize / PatchSize) : 0;

    /// <summary>
    /// The problems that make this configuration impossible, each a sentence with the fix (empty when it is
    /// valid): sizes that are not positive, a patch size that does not divide the image, heads that do not
    /// divide a width, a mask ratio outside (0, 1) or one that hides every patch or none.
    /// </summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (ImageSize <= 0 || PatchSize <= 0 || Channels <= 0 || EncoderDim <= 0 || EncoderDepth <= 0 || DecoderDim <= 0 || DecoderDepth <= 0 || MlpRatio <= 0)
            problems.Add($"MAE sizes must be positive (image {ImageSize}, patch {PatchSize}, channels {Channels}, encoder {EncoderDepth}x{EncoderDim}, decoder {DecoderDepth}x{DecoderDim}, MLP ratio {MlpRatio}): set each to at least 1.");
        else if (ImageSize % PatchSize != 0)
            problems.Add($"The patch size {PatchSize} does not divide the image size {ImageSize}: use a divisor of {ImageSize} such as {Divisors(ImageSize)}.");
        if (EncoderHeads <= 0 || (EncoderDim > 0 && EncoderDim % EncoderHeads != 0))
            problems.Add($"The encoder width {EncoderDim} is not divisible by its {EncoderHeads} attention heads: use a width that is a multiple of the heads, or a head count dividing {EncoderDim}.");
        if (DecoderHeads <= 0 || (DecoderDim > 0 && DecoderDim % DecoderHeads != 0))
            problems.Add($"The decoder width {DecoderDim} is not divisible by its {DecoderHeads} attention heads: use a width that is a multiple of the heads, or a head count dividing {DecoderDim}.");
        if (!(MaskRatio > 0 && MaskRatio < 1))
            problems.Add($"The mask ratio {MaskRatio} is outside (0, 1): MAE hides a fraction of the patches, e.g. 0.75.");
        else if (problems.Count == 0 && ((int)(NumPatches * (1 - MaskRatio)) < 1 || (int)(NumPatches * (1 - MaskRatio)) >= NumPatches))
            problems.Add($"The mask ratio {MaskRatio} {((int)(NumPatches * (1 - MaskRatio)) < 1 ? "hides every one" : "hides none")} of the {NumPatches} patches: choose a ratio that keeps at least one patch and hides at least one.");
        return problems;
    }

    static string Divisors(int n) => string.Join(", ", Enumerable.Range(1, n).Where(d => n % d == 0 && d < n));
}
