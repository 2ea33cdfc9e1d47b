using System.CommandLine;
using System.Globalization;
using Dsl.Cli;
using Dsl.Models.Data;
using Spectre.Console;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Spectre wraps at 80 columns when output is redirected to a file or pipe: keep progress lines whole.
if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = 200;

var epochs = new Option<int>("--epochs") { Description = "Passes over the training images.", DefaultValueFactory = _ => 2 };
var batchSize = new Option<int>("--batch-size") { Description = "Images per training step (the step graph is compiled for this size; the last partial batch of each epoch is skipped).", DefaultValueFactory = _ => 128 };
var lr = new Option<double>("--lr") { Description = "Peak learning rate (fed to the step graph as an input every step).", DefaultValueFactory = _ => 1e-3 };
var hidden = new Option<int>("--hidden") { Description = "Width of the hidden layer.", DefaultValueFactory = _ => 256 };
var optimizer = new Option<string>("--optimizer") { Description = "adamw (betas 0.9/0.999, weight decay 0.01) or sgd (momentum 0.9, no weight decay).", DefaultValueFactory = _ => "adamw" };
optimizer.AcceptOnlyFromAmong("adamw", "sgd");
var seed = new Option<int>("--seed") { Description = "Seed of the parameter initialisation and of the per-epoch shuffles.", DefaultValueFactory = _ => 0 };
var data = new Option<string?>("--data") { Description = "Folder holding the four Fashion-MNIST IDX files (.gz or raw). Default: the repository's data/ folder, found above the executable.", HelpName = "PATH" };
var device = new Option<string>("--device") { Description = "Torch device: cpu, or cuda (needs a libtorch-cuda build and a GPU).", DefaultValueFactory = _ => "cpu" };
device.AcceptOnlyFromAmong("cpu", "cuda");
var limit = new Option<int?>("--limit") { Description = "Train on only the first N training images (for quick runs); the test set stays complete.", HelpName = "N" };
var activation = new Option<string>("--activation") { Description = "Hidden nonlinearity: gelu or relu.", DefaultValueFactory = _ => "gelu" };
activation.AcceptOnlyFromAmong("gelu", "relu");
var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: constant, or cosine decay to 0 over all steps.", DefaultValueFactory = _ => "constant" };
schedule.AcceptOnlyFromAmong("constant", "cosine");
var logEvery = new Option<int>("--log-every") { Description = "Print a progress line every this many steps.", DefaultValueFactory = _ => 50 };

var trainMlp = new Command("train-mlp",
    "Train a 784-hidden-10 MLP classifier (the Mlp block) on Fashion-MNIST with the shared trainer: one compiled DSL step graph (forward, generated backward, optimizer), " +
    "report the full 10,000-image test accuracy after every epoch and the mean step time at the end.");
foreach (var o in new Option[] { epochs, batchSize, lr, hidden, optimizer, seed, data, device, limit, activation, schedule, logEvery })
    trainMlp.Options.Add(o);
trainMlp.SetAction(parse => Guarded(() => TrainMlp.Run(new TrainMlpSettings(
    parse.GetValue(epochs), parse.GetValue(batchSize), parse.GetValue(lr), parse.GetValue(hidden), parse.GetValue(optimizer)!,
    parse.GetValue(seed), parse.GetValue(data), parse.GetValue(device)!, parse.GetValue(limit), parse.GetValue(activation)!,
    parse.GetValue(schedule)!, parse.GetValue(logEvery)))));

var method = new Option<string>("--method") { Description = "Self-supervised method: simclr (NT-Xent), barlow (Barlow Twins) or mae (masked autoencoder, ViT).", DefaultValueFactory = _ => "simclr" };
method.AcceptOnlyFromAmong("simclr", "barlow", "mae");
var backboneOption = new Option<string>("--backbone") { Description = "SimCLR/Barlow Twins encoder: conv (4 strided 3x3 convolutions, as the Keras SimCLR example), conv-bn (the same with BatchNorm after each convolution; the default), resnet18 or resnet34 (CIFAR stem; much slower on CPU).", DefaultValueFactory = _ => "conv-bn" };
backboneOption.AcceptOnlyFromAmong([.. Dsl.Models.Methods.Backbone.Names]);
var maskRatio = new Option<double>("--mask-ratio") { Description = "MAE: fraction of patches hidden from the encoder.", DefaultValueFactory = _ => 0.75 };
var patchSize = new Option<int>("--patch-size") { Description = "MAE: patch side in pixels (a divisor of the image side); default: the side / 4 (7 for 28-pixel images, 8 for 32), a 4x4 grid.", HelpName = "PIXELS" };
var normPix = new Option<bool>("--norm-pix-loss") { Description = "MAE: regress per-patch normalised pixels." };
var readoutOption = new Option<string>("--readout") { Description = "Encoder outputs the probes read. conv backbone: pooled (global average) or spatial (final 2x2 map flattened); MAE: cls, mean, cls+mean, grid (patch tokens pooled to 2x2) or tokens (all patch tokens). default: spatial for the conv backbone, pooled for ResNets, grid for mae.", DefaultValueFactory = _ => "default" };
readoutOption.AcceptOnlyFromAmong(TrainSslSettings.Readouts);
var cropMinScale = new Option<double>("--crop-min-scale") { Description = "SimCLR/Barlow Twins: smallest area fraction of RandomResizedCrop (0.25 as the Keras SimCLR example, whose encoder conv/conv-bn is: on 28-32 px images the references' 0.08 keeps an 8x8 patch).", DefaultValueFactory = _ => 0.25 };
var noOnlineProbe = new Option<bool>("--no-online-probe") { Description = "SimCLR/Barlow Twins: skip the online linear probe (a linear classifier trained on the stopped-gradient features during pretraining, its accuracy shown in the progress lines and loss CSV)." };
var weightDecay = new Option<double>("--weight-decay") { Description = "AdamW weight decay (biases and norm weights exempt).", DefaultValueFactory = _ => 1e-4 };
var sslEpochs = new Option<int?>("--epochs") { Description = "Passes over the pretraining images (default: 15 for simclr, 12 for barlow and mae: with the evaluation, about 10 minutes each on 2 CPU cores).", HelpName = "N" };
var sslBatch = new Option<int>("--batch-size") { Description = "Images per step (two augmented views each for simclr/barlow, one masked view for mae).", DefaultValueFactory = _ => 128 };
var sslLr = new Option<double>("--lr") { Description = "Peak learning rate (AdamW, warmup then cosine decay).", DefaultValueFactory = _ => 2e-3 };
var width = new Option<int>("--width") { Description = "Encoder width (channels of the 4 convolutions); the projection head is as wide (SimCLR) or 4x as wide (Barlow Twins) unless --projector says otherwise.", DefaultValueFactory = _ => 64 };
var projector = new Option<int?>("--projector") { Description = "SimCLR/Barlow Twins: width of the projection head (default: the encoder width for simclr, 4x it for barlow).", HelpName = "N" };
var temperature = new Option<double>("--temperature") { Description = "NT-Xent temperature.", DefaultValueFactory = _ => 0.2 };
var sslSeed = new Option<int>("--seed") { Description = "Seed of initialisation, augmentation and data order.", DefaultValueFactory = _ => 0 };
var sslData = new Option<string?>("--data") { Description = "Folder with the data set's files (default for fashion-mnist: the repository's data/).", HelpName = "PATH" };
var sslDataset = CliData.DatasetOption();
var sslImageSize = CliData.ImageSizeOption();
var sslDevice = new Option<string>("--device") { Description = CliBackend.Description, DefaultValueFactory = _ => "cpu" };
sslDevice.AcceptOnlyFromAmong(CliBackend.Devices);
var sslLimit = new Option<int?>("--limit") { Description = $"Pretrain on only the first N training images (stl10: of its unlabelled split, default {CliData.Stl10UnlabeledDefault}); probes still use every labelled image.", HelpName = "N" };
var outDir = new Option<string?>("--out") { Description = "The run folder: checkpoints, the loss CSV and TensorBoard logs. Default: a new folder runs/METHOD-yyyyMMdd-HHmmss (runs/latest names it). A folder holding an earlier run's checkpoint is refused unless --resume or --overwrite is given.", HelpName = "FOLDER" };
var resumeFrom = new Option<string?>("--resume") { Description = "Continue a run exactly (same settings): alone or 'auto', from the newest valid checkpoint in --out (or of the run runs/latest names), falling back to the one before when the newest is corrupt; or from the checkpoint FILE.", HelpName = "auto|FILE", Arity = ArgumentArity.ZeroOrOne };
var overwrite = new Option<bool>("--overwrite") { Description = "Start over in an --out that holds an earlier run, deleting its checkpoints." };
var saveEvery = new Option<string?>("--save-every") { Description = "Write a checkpoint every N steps (e.g. 500) or every duration (e.g. 90s, 10m, 1h); also after the last step and on Ctrl-C/SIGTERM. Default: every epoch and at least every 10 minutes.", HelpName = "STEPS|DURATION" };
var keep = new Option<int>("--keep") { Description = "How many of the newest checkpoints to keep in the run folder.", DefaultValueFactory = _ => 2 };
var onNonFinite = new Option<string>("--on-nonfinite") { Description = "When the loss or the gradient norm becomes NaN/infinite: stop (save nothing new), skip (drop that step's update, count it) or rollback (reload the last checkpoint, halve the learning rate).", DefaultValueFactory = _ => "stop" };
onNonFinite.AcceptOnlyFromAmong("stop", "skip", "rollback");
var resumeNonFinite = CliCheckpoint.AllowNonFiniteOption();
var probeProtocol = ProbeCommand.ProtocolOption();
var probeImages = new Option<int>("--probe-images") { Description = "Training images whose features train the linear probe and kNN; 0 skips the evaluation.", DefaultValueFactory = _ => 60000 };
var finetuneEpochs = new Option<int?>("--finetune-epochs") { Description = "After the probes, fine-tune the pretrained encoder and the same encoder from its random init (each with a linear head, the loop of 'finetune') for N epochs and compare their test accuracy; 0 skips it (default: 1 for mae, 0 for simclr and barlow).", HelpName = "N" };
var finetuneImages = new Option<int?>("--finetune-images") { Description = "Labelled training images the fine-tune comparison trains on (default: 10000, or the --probe-images if fewer).", HelpName = "N" };
var finetuneLr = new Option<double>("--finetune-lr") { Description = "Peak learning rate of the fine-tune comparison (AdamW, warmup then cosine decay).", DefaultValueFactory = _ => SupervisedTraining.DefaultLearningRate };
var trainSsl = new Command("train",
    "Self-supervised pretraining (MAE, SimCLR or Barlow Twins) through the shared trainer (Fashion-MNIST unless --dataset says otherwise), then linear-probe and kNN accuracy on the full " +
    "test set for the pretrained encoder, the same encoder at random init, and raw pixels; then (--finetune-epochs, by default for mae) both encoders fine-tuned with labels. " +
    "The figures also go to evaluation.json in the run folder.");
foreach (var o in new Option[] { method, sslDataset, sslData, sslImageSize, sslEpochs, sslBatch, sslLr, width, temperature, sslSeed, sslDevice, sslLimit, outDir, resumeFrom, overwrite, saveEvery, keep, onNonFinite, resumeNonFinite, probeImages, probeProtocol, backboneOption, maskRatio, normPix, weightDecay, readoutOption, cropMinScale, noOnlineProbe, patchSize, projector })
    trainSsl.Options.Add(o);
foreach (var o in new Option[] { finetuneEpochs, finetuneImages, finetuneLr })
    trainSsl.Options.Add(o);
TrainSslSettings ReadTrain(ParseResult parse) => new(
    parse.GetValue(method)!, parse.GetValue(sslEpochs) ?? DefaultEpochs(parse.GetValue(method)!), parse.GetValue(sslBatch), parse.GetValue(sslLr), parse.GetValue(width),
    parse.GetValue(temperature), parse.GetValue(sslSeed), parse.GetValue(sslData), parse.GetValue(sslDevice)!, parse.GetValue(sslLimit),
    parse.GetValue(outDir), Resume(parse, resumeFrom), parse.GetValue(probeImages), parse.GetValue(backboneOption)!,
    parse.GetValue(maskRatio), parse.GetValue(normPix), parse.GetValue(weightDecay), parse.GetValue(readoutOption)!,
    parse.GetValue(sslDataset)!, parse.GetValue(sslImageSize), parse.GetValue(cropMinScale), !parse.GetValue(noOnlineProbe), parse.GetValue(patchSize),
    parse.GetValue(saveEvery), parse.GetValue(keep), parse.GetValue(overwrite), parse.GetValue(onNonFinite)!, parse.GetValue(resumeNonFinite),
    ProbeCommand.Protocol(parse.GetValue(probeProtocol)!))
{
    FinetuneEpochs = parse.GetValue(finetuneEpochs) ?? (parse.GetValue(method) == "mae" ? 1 : 0),
    FinetuneImages = parse.GetValue(finetuneImages),
    FinetuneLearningRate = parse.GetValue(finetuneLr),
    Projector = parse.GetValue(projector),
};
trainSsl.SetAction(parse => Guarded(() => TrainSsl.Run(ReadTrain(parse), args)));

var root = new RootCommand("Deep-learning DSL command line: trains models built as graphs, run by the TorchSharp backend.");
root.Subcommands.Add(trainMlp);
root.Subcommands.Add(trainSsl);
root.Subcommands.Add(ProbeCommand.CreateProbe());
root.Subcommands.Add(ProbeCommand.CreateKnn());
root.Subcommands.Add(SupervisedCommand.CreateSupervised());
root.Subcommands.Add(SupervisedCommand.CreateFinetune());
root.Subcommands.Add(ReconstructCommand.Create());
root.Subcommands.Add(AugmentationsCommand.Create());
root.Subcommands.Add(PlotCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(AblateCommand.Create(trainSsl, ReadTrain));
root.Subcommands.Add(ChartsCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors) Console.Error.WriteLine("error: " + OneLine(e.Message));
    Console.Error.WriteLine($"Run '{root.Name} --help' or '{root.Name} <command> --help' for usage.");
    return 2;
}
return parsed.Invoke();

static int Guarded(Func<int> action) => CommandRunner.Guarded(action);
// A bare --resume means "auto"; an absent one, a fresh run.
static string? Resume(ParseResult parse, Option<string?> option) =>
    parse.GetResult(option) is null ? null : parse.GetValue(option) is { Length: > 0 } value ? value : TrainSslSettings.ResumeAuto;
static string OneLine(string message) => CommandRunner.OneLine(message);

// The epochs that, with the evaluation, fit about 10 minutes on 2 CPU cores at the measured step rates
// (Fashion-MNIST, batch 128): SimCLR's encoder runs both views as one call, Barlow Twins' once per view,
// and MAE's masked encoder sees a quarter of the patches (docs/results/ablations.md).
static int DefaultEpochs(string method) => method switch { "simclr" => 15, _ => 12 };
