using System.CommandLine;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Data;
using Dsl.Models.Evaluation;
using Dsl.Models.Methods;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// <c>probe</c> and <c>knn</c>: frozen-feature evaluation of a pretraining checkpoint on the
/// test set of the data set it was trained on, with the model rebuilt from the settings stored in the checkpoint.
/// </summary>
static class ProbeCommand
{
    public static Command CreateProbe()
    {
        var (checkpoint, allowNonFinite) = (CliCheckpoint.PathOption(), CliCheckpoint.AllowNonFiniteOption());
        var images = new Option<int>("--probe-images") { Description = "Training images whose features train the probe.", DefaultValueFactory = _ => 60000 };
        var epochs = new Option<int>("--probe-epochs") { Description = "Epochs of the probe's training (cosine schedule).", DefaultValueFactory = _ => 20 };
        var protocol = ProtocolOption();
        var readout = ReadoutOption();
        var (data, device) = (DataOption(), DeviceOption());
        var command = new Command("probe", "Linear probe (a linear classifier on standardised features with AdamW, or --probe-protocol sgd) on the frozen encoder of a 'train' checkpoint; " +
            "prints its accuracy on the full test set of its data set next to kNN.");
        foreach (var o in new Option[] { checkpoint, images, epochs, protocol, readout, data, device, allowNonFinite }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var (method, settings, parameters, backend, probeData) = Load(CliCheckpoint.Resolve(parse, checkpoint), parse.GetValue(allowNonFinite), parse.GetValue(data), parse.GetValue(device)!,
                parse.GetValue(images), parse.GetValue(readout));
            var r = EncoderEvaluation.Evaluate(backend, method.Features, parameters, probeData, settings.Seed, parse.GetValue(epochs),
                Protocol(parse.GetValue(protocol)!));
            AnsiConsole.MarkupLineInterpolated($"{method.Title} ({method.Describe()}), {r.Dim}-d features: linear probe {r.Probe:P2}, kNN {r.Knn:P2} (probe fitted on {probeData.TrainLabels.Length} images; {r.Seconds}).");
            return 0;
        }));
        return command;
    }

    public static Command CreateKnn()
    {
        var (checkpoint, allowNonFinite) = (CliCheckpoint.PathOption(), CliCheckpoint.AllowNonFiniteOption());
        var images = new Option<int>("--bank-images") { Description = "Training images in the kNN memory bank.", DefaultValueFactory = _ => 60000 };
        var k = new Option<int>("--k") { Description = "Neighbours that vote.", DefaultValueFactory = _ => 20 };
        var temperature = new Option<double>("--temperature") { Description = "Votes are weighted by exp(cosine similarity / T).", DefaultValueFactory = _ => 0.07 };
        var readout = ReadoutOption();
        var (data, device) = (DataOption(), DeviceOption());
        var command = new Command("knn", "Weighted kNN accuracy (cosine similarity, as solo-learn) of the frozen encoder of a 'train' checkpoint on the full test set of its data set.");
        foreach (var o in new Option[] { checkpoint, images, k, temperature, readout, data, device, allowNonFinite }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var (method, _, parameters, backend, probeData) = Load(CliCheckpoint.Resolve(parse, checkpoint), parse.GetValue(allowNonFinite), parse.GetValue(data), parse.GetValue(device)!,
                parse.GetValue(images), parse.GetValue(readout));
            var (train, dim) = Features.Extract(backend, method.Features, parameters, probeData.TrainImages, probeData.TrainLabels.Length, probeData.Channels, probeData.Height, probeData.Width);
            var (test, _) = Features.Extract(backend, method.Features, parameters, probeData.TestImages, probeData.TestLabels.Length, probeData.Channels, probeData.Height, probeData.Width);
            double accuracy = Knn.Accuracy(backend, train, probeData.TrainLabels, test, probeData.TestLabels, dim, probeData.Classes, parse.GetValue(k), parse.GetValue(temperature));
            AnsiConsole.MarkupLineInterpolated($"{method.Title}, {dim}-d features: kNN (k={parse.GetValue(k)}, T={parse.GetValue(temperature)}) {accuracy:P2} with a bank of {probeData.TrainLabels.Length} images.");
            return 0;
        }));
        return command;
    }

    static (PretrainingMethod, TrainSslSettings, Dictionary<string, HostTensor>, IBackend, ProbeData) Load(string path, bool allowNonFinite, string? dataPath, string device,
        int trainImages, string? readout)
    {
        var (tensors, metadata) = CliCheckpoint.Load(path, allowNonFinite);
        var settings = TrainSslSettings.FromCheckpointMetadata(path, metadata);
        if (readout is not null) settings = settings with { Readout = readout };
        var data = settings.LoadData(dataPath);
        var probeData = ProbeData.From(data.Train, data.Test, trainImages);
        var method = settings.CreateMethod(probeData.Channels, probeData.Height);
        CliCheckpoint.RequireEncoder(path, method, probeData.Channels, probeData.Height, tensors);
        return (method, settings, tensors, CliBackend.Create(device), probeData);
    }

    /// <summary>The <c>--probe-protocol</c> option of <c>probe</c> and <c>train</c>.</summary>
    internal static Option<string> ProtocolOption()
    {
        var o = new Option<string>("--probe-protocol")
        {
            Description = "How the linear probe is fitted: adamw (features standardised, AdamW lr 1e-2, cosine) or sgd (the standard protocol of MAE and the Keras " +
                "examples: affine-free BatchNorm before the linear layer, SGD momentum 0.9, lr 0.1 x batch/256, warmup then cosine, no weight decay).",
            DefaultValueFactory = _ => "adamw",
        };
        o.AcceptOnlyFromAmong("adamw", "sgd");
        return o;
    }

    /// <summary>The protocol named by <c>--probe-protocol</c>.</summary>
    internal static ProbeProtocol Protocol(string name) => name == "sgd" ? ProbeProtocol.Sgd : ProbeProtocol.AdamW;

    static Option<string?> ReadoutOption()
    {
        var o = new Option<string?>("--readout") { Description = "Which encoder outputs to read: pooled or spatial (conv backbone); cls, mean, cls+mean, grid or tokens (MAE). Default: the checkpoint's." };
        o.AcceptOnlyFromAmong(TrainSslSettings.Readouts);
        return o;
    }
    internal static Option<string?> DataOption() => new("--data") { Description = "Folder with the data set's files (default: the folder the checkpoint was trained on; the repository's data/ for Fashion-MNIST).", HelpName = "PATH" };
    internal static Option<string> DeviceOption()
    {
        var o = new Option<string>("--device") { Description = CliBackend.Description, DefaultValueFactory = _ => "cpu" };
        o.AcceptOnlyFromAmong(CliBackend.Devices);
        return o;
    }
}
