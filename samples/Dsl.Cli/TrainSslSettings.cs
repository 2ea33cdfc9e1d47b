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
    string Backbone = "conv", double MaskRatio = 0.75, bool NormPixLoss = false, double WeightDecay = 1e-4, string Readout = "cls+mean")
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

    /// <summary>MAE probe readouts by CLI name.</summary>
    public static readonly string[] Readouts = ["cls", "mean", "cls+mean", "grid", "tokens"];

    static MaeReadout ParseReadout(string name) => name switch
    {
        "cls" => MaeReadout.Cls,
        "mean" => MaeReadout.Mean,
        "cls+mean" => MaeReadout.ClsAndMean,
        "grid" => MaeReadout.Grid,
        "tokens" => MaeReadout.Tokens,
        _ => throw new CliException($"Unknown readout '{name}': use {string.Join(", ", Readouts)}."),
    };

    /// <summary>The pretraining method these settings describe, for <paramref name="channels"/>-channel 28×28 images.</summary>
    public PretrainingMethod CreateMethod(int channels) => Method switch
    {
        "simclr" => new SimClrMethod(Models.Methods.Backbone.Parse(Backbone, channels, Width), channels, 28, Width, Temperature),
        "barlow" => new BarlowTwinsMethod(Models.Methods.Backbone.Parse(Backbone, channels, Width), channels, 28, 4 * Width),
        "mae" => new MaeMethod(MaeConfig.FashionMnist with { Channels = channels, MaskRatio = MaskRatio, NormPixLoss = NormPixLoss }, readout: ParseReadout(Readout)),
        _ => throw new CliException($"Unknown method '{Method}': use simclr, barlow or mae."),
    };
}
