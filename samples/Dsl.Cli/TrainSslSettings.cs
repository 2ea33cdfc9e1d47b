using System.Text.Json;
using Dsl.Models.Methods;

namespace Dsl.Cli;

/// <summary>
/// Settings of <c>train</c> (self-supervised pretraining), as parsed from the command line. They
/// are stored in the checkpoint's metadata, so <c>probe</c>, <c>knn</c>, <c>reconstruct</c> and
/// <c>finetune</c> rebuild the same model from the checkpoint alone.
/// </summary>
sealed record TrainSslSettings(string Method, int Epochs, int BatchSize, double LearningRate, int Width, double Temperature,
    int Seed, string? Data, string Device, int? Limit, string Out, string? Resume, int ProbeImages,
    string Backbone = "conv", double MaskRatio = 0.75, bool NormPixLoss = false, double WeightDecay = 1e-4, string Readout = "default")
{
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
    public static string DefaultReadout(string method, string backbone) => method == "mae" ? "grid" : backbone == "conv" ? "spatial" : "pooled";

    string ReadoutName => Readout == "default" ? DefaultReadout(Method, Backbone) : Readout;

    bool Spatial => ReadoutName switch
    {
        "pooled" => false,
        "spatial" when Backbone == "conv" => true,
        _ => throw new CliException($"Readout '{ReadoutName}' does not apply to {Method} with backbone {Backbone}: use pooled{(Backbone == "conv" ? " or spatial" : "")}."),
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

    /// <summary>The pretraining method these settings describe, for <paramref name="channels"/>-channel 28×28 images.</summary>
    public PretrainingMethod CreateMethod(int channels) => Method switch
    {
        "simclr" => new SimClrMethod(Models.Methods.Backbone.Parse(Backbone, channels, Width), channels, 28, Width, Temperature)
        { Readout = Models.Methods.Backbone.Parse(Backbone, channels, Width, Spatial) },
        "barlow" => new BarlowTwinsMethod(Models.Methods.Backbone.Parse(Backbone, channels, Width), channels, 28, 4 * Width)
        { Readout = Models.Methods.Backbone.Parse(Backbone, channels, Width, Spatial) },
        "mae" => new MaeMethod(MaeConfig.FashionMnist with { Channels = channels, MaskRatio = MaskRatio, NormPixLoss = NormPixLoss }, readout: ParseReadout(ReadoutName)),
        _ => throw new CliException($"Unknown method '{Method}': use simclr, barlow or mae."),
    };
}
