using System.Text.Json;
using Dsl.Models.Data;
using Dsl.Models.Data.Augment;
using Dsl.Models.Evaluation;
using Dsl.Models.Methods;

namespace Dsl.Cli;

/// <summary>
/// Settings of <c>train</c> (self-supervised pretraining), as parsed from the command line. They
/// are stored in the checkpoint's metadata, so <c>probe</c>, <c>knn</c>, <c>reconstruct</c> and
/// <c>finetune</c> rebuild the same model from the checkpoint alone.
/// </summary>
sealed record TrainSslSettings(string Method, int Epochs, int BatchSize, double LearningRate, int Width, double Temperature,
    int Seed, string? Data, string Device, int? Limit, string? Out, string? Resume, int ProbeImages,
    string Backbone = "conv", double MaskRatio = 0.75, bool NormPixLoss = false, double WeightDecay = 1e-4, string Readout = "default",
    string Dataset = "fashion-mnist", int ImageSize = 32, double CropMinScale = 0.08, bool OnlineProbe = true, int PatchSize = 0,
    string? SaveEvery = null, int Keep = 2, bool Overwrite = false, string OnNonFinite = "stop", bool AllowNonFinite = false,
    ProbeProtocol ProbeProtocol = ProbeProtocol.AdamW,
    int FinetuneEpochs = 0, int? FinetuneImages = null, double FinetuneLearningRate = SupervisedTraining.DefaultLearningRate, int? Projector = null)
{
    /// <summary>Width of the SimCLR/Barlow Twins projection head: <see cref="Projector"/> when given, else the encoder width (SimCLR) or 4x it (Barlow Twins).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int ProjectorWidth => Projector ?? (Method == "barlow" ? 4 * Width : Width);

    /// <summary>The value of <c>--resume</c> that (like a bare <c>--resume</c>) resumes from the newest valid checkpoint in --out.</summary>
    public const string ResumeAuto = "auto";

    /// <summary>
    /// Labelled images of the fine-tune comparison unless <c>--finetune-images</c> says otherwise: a short fine-tune in
    /// the few-label regime where pretraining pays most (as the Keras SimCLR example compares), and one that keeps the
    /// default MAE command near 10 minutes on 2 cores (two fine-tunes on all 60,000 images would add about 3 minutes).
    /// </summary>
    public const int DefaultFinetuneImages = 10_000;

    /// <summary>The labelled images the fine-tune comparison trains on.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int FinetuneImageCount => FinetuneImages ?? Math.Min(DefaultFinetuneImages, ProbeImages);

    /// <summary>Checkpoint metadata key holding these settings as JSON.</summary>
    public const string MetadataKey = "dsl_cli.train";

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The settings a checkpoint was trained with.</summary>
    public static TrainSslSettings FromCheckpointMetadata(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(MetadataKey, out var json))
            throw new CliException($"{path} has no '{MetadataKey}' metadata: pass a checkpoint written by 'train' (not an export).");
        return JsonSerializer.Deserialize<TrainSslSettings>(json) ?? throw new CliException($"{path}: unreadable '{MetadataKey}' metadata.");
    }

    /// <summary>Probe readouts by CLI name: pooled/spatial for conv backbones, the others for MAE.</summary>
    public static readonly string[] Readouts = ["default", "pooled", "spatial", "cls", "mean", "cls+mean", "grid", "tokens"];

    /// <summary>The readout a method's probes use unless told otherwise.</summary>
    public static string DefaultReadout(string method, string backbone) => method == "mae" ? "grid" : IsConv(backbone) ? "spatial" : "pooled";

    static bool IsConv(string backbone) => backbone is "conv" or "conv-bn";

    string ReadoutName => Readout == "default" ? DefaultReadout(Method, Backbone) : Readout;

    bool Spatial => ReadoutName switch
    {
        "pooled" => false,
        "spatial" when IsConv(Backbone) => true,
        _ => throw new CliException($"Readout '{ReadoutName}' does not apply to {Method} with backbone {Backbone}: use pooled{(IsConv(Backbone) ? " or spatial" : "")}."),
    };

    static MaeReadout ParseReadout(string name) => name switch
    {
        "cls" => MaeReadout.Cls,
        "mean" => MaeReadout.Mean,
        "cls+mean" => MaeReadout.ClsAndMean,
        "grid" => MaeReadout.Grid,
        "tokens" => MaeReadout.Tokens,
        _ => throw new CliException($"Readout '{name}' does not apply to MAE: use cls, mean, cls+mean, grid or tokens."),
    };

    /// <summary>The data set these settings name, read from <paramref name="dataPath"/> (default: the stored path).</summary>
    public CliData LoadData(string? dataPath = null, int? limit = null) => CliData.Load(Dataset, dataPath ?? Data, ImageSize, limit);

    /// <summary>The pretraining method these settings describe, for square <paramref name="channels"/>-channel images of side <paramref name="size"/>.</summary>
    /// <param name="channels">Image channels.</param>
    /// <param name="size">Image side.</param>
    /// <param name="onlineProbeClasses">Classes of an online linear probe trained alongside SimCLR/Barlow Twins (0: none).</param>
    public PretrainingMethod CreateMethod(int channels, int size, int onlineProbeClasses = 0) => Method switch
    {
        "simclr" => new SimClrMethod(Models.Methods.Backbone.Parse(Backbone, channels, Width, size: size), channels, size, ProjectorWidth, Temperature,
            AugmentationPipeline.SimClr(size, minScale: CropMinScale), onlineProbeClasses)
        { Readout = Models.Methods.Backbone.Parse(Backbone, channels, Width, Spatial, size) },
        "barlow" => new BarlowTwinsMethod(Models.Methods.Backbone.Parse(Backbone, channels, Width, size: size), channels, size, ProjectorWidth,
            views: AugmentationPipeline.BarlowTwins(size, CropMinScale), onlineProbeClasses: onlineProbeClasses)
        { Readout = Models.Methods.Backbone.Parse(Backbone, channels, Width, Spatial, size) },
        "mae" => new MaeMethod(Checked(MaeFor(size, channels, PatchSize) with { MaskRatio = MaskRatio, NormPixLoss = NormPixLoss }), readout: ParseReadout(ReadoutName)),
        _ => throw new CliException($"Unknown method '{Method}': use simclr, barlow or mae."),
    };

    /// <summary>The method for the images of <paramref name="data"/>, with the online probe when asked for and the pretraining images have labels.</summary>
    public PretrainingMethod CreateMethod(CliData data) => CreateMethod(data.Train.Channels, SquareSide(data.Train),
        OnlineProbe && Method != "mae" && data.Pretrain.Labels is not null ? data.Train.ClassNames.Count : 0);

    static MaeConfig Checked(MaeConfig config) => config.Problems() is { Count: > 0 } problems ? throw new CliException(string.Join(" ", problems)) : config;

    static int SquareSide(ImageDataset images) => images.Height == images.Width ? images.Height
        : throw new CliException($"The models take square images; this data set's are {images.Height}x{images.Width}.");

    /// <summary>
    /// The small Fashion-MNIST MAE with a patch size for <paramref name="size"/>-pixel images: <paramref name="patchSize"/>
    /// when given, else the smallest divisor of the side of at least side/4 (a 4x4 grid for 28, 32 or 96 pixels): 16 tokens
    /// keep the default run and its evaluation within 10 minutes on 2 CPU cores (patch 4 on 28 pixels, 49 tokens, took
    /// 10 min 10 s for 2 epochs, 6 of them evaluating).
    /// </summary>
    static MaeConfig MaeFor(int size, int channels, int patchSize)
    {
        if (patchSize != 0 && (patchSize < 1 || size % patchSize != 0 || size / patchSize < 2))
            throw new CliException($"--patch-size {patchSize} does not cut {size}x{size} images into a grid of at least 2x2 whole patches: use a divisor of {size} up to {size / 2}.");
        int patch = patchSize != 0 ? patchSize : Enumerable.Range(Math.Max(1, (size + 3) / 4), size).FirstOrDefault(p => size % p == 0 && size / p >= 2);
        if (patch == 0) throw new CliException($"MAE cannot cut {size}x{size} images into a grid of at least 2x2 patches: use --patch-size with a divisor of {size}.");
        return MaeConfig.FashionMnist with { ImageSize = size, PatchSize = patch, Channels = channels };
    }
}
