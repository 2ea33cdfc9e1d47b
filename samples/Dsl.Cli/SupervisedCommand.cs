using System.CommandLine;
using System.Diagnostics;
using Dsl.Execution;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// <c>supervised</c> (the baseline: a method's encoder trained from random init with labels) and
/// <c>finetune</c> (the same from a pretraining checkpoint), as the Keras SimCLR example compares.
/// Both log train loss/accuracy and test accuracy per epoch to a CSV for <c>plot</c>; the loop is <see cref="SupervisedTraining"/>.
/// </summary>
static class SupervisedCommand
{
    public static Command CreateSupervised()
    {
        var method = new Option<string>("--method") { Description = "Whose encoder to train: simclr/barlow (conv or ResNet backbone) or mae (ViT encoder).", DefaultValueFactory = _ => "simclr" };
        method.AcceptOnlyFromAmong("simclr", "barlow", "mae");
        var backbone = new Option<string>("--backbone") { Description = "conv, conv-bn (the default, as train's), resnet18 or resnet34 (simclr/barlow).", DefaultValueFactory = _ => "conv-bn" };
        backbone.AcceptOnlyFromAmong([.. Models.Methods.Backbone.Names]);
        var width = new Option<int>("--width") { Description = "Conv encoder width.", DefaultValueFactory = _ => 128 };
        var (dataset, imageSize) = (CliData.DatasetOption(), CliData.ImageSizeOption());
        var (common, read) = CommonOptions();
        var command = new Command("supervised", "Supervised baseline: the encoder of a method trained from random init with a linear head on the labels of a data set; " +
            "prints and logs test accuracy per epoch.");
        foreach (var o in new Option[] { method, backbone, width, dataset, imageSize }.Concat(common)) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var settings = new TrainSslSettings(parse.GetValue(method)!, 0, 0, 0, parse.GetValue(width), 0.1, 0, null, "cpu", null, "", null, 0, parse.GetValue(backbone)!,
                Dataset: parse.GetValue(dataset)!, ImageSize: parse.GetValue(imageSize));
            return Run("supervised", settings, null, null, read(parse));
        }));
        return command;
    }

    public static Command CreateFinetune()
    {
        var (checkpoint, allowNonFinite) = (CliCheckpoint.PathOption(), CliCheckpoint.AllowNonFiniteOption());
        var (common, read) = CommonOptions();
        var command = new Command("finetune", "Fine-tunes the encoder of a 'train' checkpoint with a linear head on the labels of its data set; prints and logs test accuracy per epoch.");
        command.Options.Add(checkpoint);
        command.Options.Add(allowNonFinite);
        foreach (var o in common) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var path = CliCheckpoint.Resolve(parse, checkpoint);
            var (tensors, metadata) = CliCheckpoint.Load(path, parse.GetValue(allowNonFinite));
            return Run("finetune", TrainSslSettings.FromCheckpointMetadata(path, metadata), path, tensors, read(parse));
        }));
        return command;
    }

    sealed record Common(int Epochs, int BatchSize, double LearningRate, int Seed, string? Data, string Device, int? Limit, string Out);

    static (Option[], Func<ParseResult, Common>) CommonOptions()
    {
        var epochs = new Option<int>("--epochs") { Description = "Passes over the labelled training images.", DefaultValueFactory = _ => 3 };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Peak AdamW learning rate (warmup, cosine decay).", DefaultValueFactory = _ => SupervisedTraining.DefaultLearningRate };
        var seed = new Option<int>("--seed") { Description = "Seed of initialisation, augmentation and order.", DefaultValueFactory = _ => 0 };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N labelled training images (a low-label regime).", HelpName = "N" };
        var outDir = new Option<string>("--out") { Description = "Folder for the accuracy CSV and the checkpoint.", DefaultValueFactory = _ => "runs" };
        var (data, device) = (ProbeCommand.DataOption(), ProbeCommand.DeviceOption());
        return ([epochs, batch, lr, seed, limit, outDir, data, device], p => new Common(p.GetValue(epochs), p.GetValue(batch), p.GetValue(lr), p.GetValue(seed),
            p.GetValue(data), p.GetValue(device)!, p.GetValue(limit), p.GetValue(outDir)!));
    }

    static int Run(string name, TrainSslSettings settings, string? checkpoint, IReadOnlyDictionary<string, HostTensor>? pretrained, Common c)
    {
        var total = Stopwatch.StartNew();
        var backend = CliBackend.Create(c.Device);
        var data = settings.LoadData(c.Data);
        var train = c.Limit is int limit ? CliData.Limit(data.Train, limit) : data.Train;
        var method = settings.CreateMethod(data);
        if (pretrained is not null) CliCheckpoint.RequireEncoder(checkpoint!, method, train.Channels, train.Height, pretrained);
        AnsiConsole.MarkupLineInterpolated($"{name} ({method.Title} encoder: {method.Describe()}) on {data.Title}: {train.Count} labelled images, {c.Epochs} epochs, batch {c.BatchSize}, lr {c.LearningRate:G3}");
        using var log = new RunLog(c.Out, $"{name}_{settings.Method}_accuracy", ["epoch", "step", "train_loss", "train_accuracy", "test_accuracy"]);
        SupervisedTraining.Run(backend, method, train, data.Test, pretrained, name, name, new SupervisedTraining.Budget(c.Epochs, c.BatchSize, c.LearningRate, c.Seed),
            onEpoch: e =>
            {
                log.Write(e.Number, e.Step, e.TrainLoss, e.TrainAccuracy, e.TestAccuracy);
                log.Commit();
                AnsiConsole.MarkupLineInterpolated($"epoch {e.Number}/{c.Epochs}  loss {e.TrainLoss:F4}  train acc {e.TrainAccuracy:P2}  test acc {e.TestAccuracy:P2}  ({total.Elapsed.TotalSeconds:F0} s)");
            },
            onEnd: trainer => trainer.SaveCheckpoint(Path.Combine(c.Out, $"{name}_{settings.Method}.safetensors"), new Dictionary<string, string> { [TrainSslSettings.MetadataKey] = settings.ToJson() }));
        return 0;
    }
}
