namespace Dsl.Models.Methods;

/// <summary>
/// MAE's visualisation (its demo notebook) as a graph: for images and masking noise, the masked
/// input (hidden patches grey), the decoder's reconstruction, and the reconstruction with the
/// visible patches pasted back. With the norm-pix loss the predicted patches are normalised, so
/// they are mapped back with each target patch's mean and standard deviation, as the demo does.
/// </summary>
public static class MaeReconstruction
{
    /// <summary>The three image batches [B, C, H, W] (each in the images' range).</summary>
    public sealed record Result(Tensor Masked, Tensor Reconstruction, Tensor Pasted, Tensor Mask);

    /// <summary>Declares MAE (parameter names as in training) and the reconstruction of <paramref name="images"/> in <paramref name="graph"/>.</summary>
    /// <param name="graph">The graph to build in.</param>
    /// <param name="config">The checkpoint's configuration.</param>
    /// <param name="images">[B, C, H, W] images.</param>
    /// <param name="noise">[B, L] uniform noise: the patches with the smallest values stay visible.</param>
    public static Result Build(Graph graph, MaeConfig config, Tensor images, Tensor noise)
    {
        var net = ModelContext.Build(graph, () => new MaskedAutoencoder(config));
        var (_, pred, mask) = net.Forward(images, noise);
        if (config.NormPixLoss)
        {
            var target = MaskedAutoencoder.Patchify(images, config.PatchSize);
            int p = target.Shape[2];
            var mean = Ops.Mean(target, -1, keepDims: true);
            var centered = target - mean;
            var variance = Ops.Sum(centered * centered, -1, keepDims: true) / (p - 1);
            pred = pred * Ops.Sqrt(variance + 1e-6) + mean;
        }
        int b = pred.Shape[0], l = pred.Shape[1], d = pred.Shape[2];
        var reconstruction = MaskedAutoencoder.Unpatchify(pred, config.PatchSize, config.Channels);
        var hidden = MaskedAutoencoder.Unpatchify(Ops.Expand(Ops.Reshape(mask, b, l, 1), new Shape(b, l, d)), config.PatchSize, config.Channels);
        var visible = 1.0 - hidden;
        var masked = images * visible + hidden * 0.5;
        var pasted = images * visible + reconstruction * hidden;
        return new Result(masked, reconstruction, pasted, mask);
    }
}
