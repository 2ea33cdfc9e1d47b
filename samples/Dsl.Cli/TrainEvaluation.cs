using System.Text.Json;
using Dsl.Models.Evaluation;

namespace Dsl.Cli;

/// <summary>
/// What <c>train</c> measured, written into its run folder as <see cref="FileName"/> (rewritten once the fine-tune
/// comparison is done), so <c>charts</c>, <c>ablate</c> and scripts read the figures instead of parsing the console.
/// Accuracies are fractions in [0, 1]; times in seconds.
/// </summary>
/// <param name="Method">The CLI name: simclr, barlow or mae.</param>
/// <param name="Title">The method's display name (e.g. "SimCLR").</param>
/// <param name="Dataset">The data set's display name.</param>
/// <param name="LossCsv">The loss log's file name in the run folder.</param>
/// <param name="ProbeImages">Labelled training images the probe and kNN were fitted on.</param>
/// <param name="TestImages">Test images they were scored on.</param>
/// <param name="Pretrained">Linear probe and kNN on the pretrained encoder.</param>
/// <param name="RandomInit">The same on the encoder at its random initialisation.</param>
/// <param name="RawPixels">The same on raw pixels.</param>
/// <param name="PretrainSeconds">Wall time of the pretraining (this process's part of it when resumed).</param>
/// <param name="TotalSeconds">Wall time of the whole command so far.</param>
/// <param name="Finetune">The fine-tune comparison (null when not run, or not yet done).</param>
/// <param name="Settings">The settings of the run.</param>
sealed record TrainEvaluation(string Method, string Title, string Dataset, string LossCsv, int ProbeImages, int TestImages,
    ProbeResult Pretrained, ProbeResult RandomInit, ProbeResult RawPixels, double PretrainSeconds, double TotalSeconds,
    FinetuneComparison? Finetune, TrainSslSettings Settings)
{
    /// <summary>The file's name in the run folder.</summary>
    public const string FileName = "evaluation.json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes <see cref="FileName"/> into <paramref name="folder"/> atomically (a reader never sees half a file).</summary>
    public void Write(string folder)
    {
        string path = Path.Combine(folder, FileName), temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The evaluation a run folder holds, or null when it holds none.</summary>
    /// <exception cref="CliException">The file is there but unreadable.</exception>
    public static TrainEvaluation? Read(string folder)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TrainEvaluation>(File.ReadAllText(path), Json)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new CliException($"'{path}' is not an evaluation written by 'train' ({e.Message}): delete it or run 'train' again.", exitCode: 1);
        }
    }
}

/// <summary>Test accuracy of the pretrained encoder and of the same encoder from random init, each fine-tuned with the same budget.</summary>
/// <param name="Epochs">Passes over the labelled images.</param>
/// <param name="Images">Labelled training images.</param>
/// <param name="Pretrained">Test accuracy fine-tuned from the pretrained encoder.</param>
/// <param name="RandomInit">Test accuracy fine-tuned from the random init the pretraining started from.</param>
/// <param name="Seconds">Wall time of both fine-tunes.</param>
sealed record FinetuneComparison(int Epochs, int Images, double Pretrained, double RandomInit, double Seconds);
