using Dsl.Bench.Reference;
using Dsl.Models;
using Dsl.Models.Methods;
using Dsl.Models.Tasks;
using Dsl.Models.Training;

namespace Dsl.Bench.Rows;

/// <summary>
/// The rows, in priority order. Tasks are constructed as the command line constructs them
/// (samples/Dsl.Cli: TrainSslSettings.CreateMethod, SupervisedCommand), with the command line's
/// optimizer settings at a constant learning rate (the peak of its warmup-cosine schedule).
/// </summary>
static class RowCatalog
{
    public static IReadOnlyList<Row> All { get; } =
    [
        Mlp(),
        SimClrConv(),
        BarlowConv(),
        MaeVit(),
        BarlowResNet18(64, new StepCounts(3, 0, 2, 2)),
        BarlowResNet18(256, new StepCounts(3, 0, 2, 1)),
        MaeKeras(),
        VitB16(),
    ];

    public static Row? Find(string name) => All.FirstOrDefault(r => r.Name == name);

    /// <summary>
    /// <c>train</c>'s optimizer (samples/Dsl.Cli/TrainSsl.cs, SupervisedCommand.cs): AdamW with weight
    /// decay 1e-4, biases and norm weights exempt, gradients clipped to norm 5, seed 0.
    /// </summary>
    static TrainerOptions CliOptions(int batch, double lr) =>
        new(batch, new AdamW(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm }, new ConstantSchedule(lr), ClipNorm: 5.0, Seed: 0);

    /// <summary>784-256-10 GELU MLP of <c>train-mlp</c>: AdamW as torch.optim.AdamW's defaults (weight decay 0.01 on all), lr 1e-3, no clipping.</summary>
    static Row Mlp()
    {
        var mlp = new SupervisedMlpTask(28 * 28, 256, 10);
        return new Row("mlp", "MLP 784-256-10 (GELU), cross-entropy; AdamW wd 0.01 (all parameters), lr 1e-3", 128, new StepCounts(5, 100, 5, 200),
            () => new SupervisedMlpTask(mlp.Inputs, mlp.Hidden, mlp.Classes), new TrainerOptions(128, new AdamW(), new ConstantSchedule(1e-3)),
            () => Batches.Flat(128, mlp.Inputs, mlp.Classes), s => new MlpReference(s));
    }

    /// <summary>
    /// <c>train --method simclr</c>: the conv-bn-64 encoder (BatchNorm over both views, which run as one batch), head
    /// 64-64-64, NT-Xent T 0.2, online probe (10 classes), Fashion-MNIST 28×28.
    /// </summary>
    static Row SimClrConv()
    {
        const double Temperature = 0.2;
        return new Row("simclr-conv", "SimCLR: conv-bn-64 encoder (views as one batch), head 64-64-64, NT-Xent T 0.2, online probe; 2 views 1x28x28", 128, new StepCounts(5, 10, 5, 20),
            () => new SimClrMethod(Backbone.Parse("conv-bn", 1, 64, size: 28), 1, 28, 64, Temperature, onlineProbeClasses: 10).Task,
            CliOptions(128, 2e-3), () => Batches.TwoViews(128, 1, 28, 10),
            s => new TwoViewReference(s, ConvNets.ConvEncoder, ConvNets.SimClrHead, (z1, z2) => Losses.NtXent(z1, z2, Temperature), jointViews: true));
    }

    /// <summary><c>train --method barlow</c>: the conv-bn-64 encoder (one call per view), BN projector 256-256-256 (4 × width), λ 5e-3, online probe (10 classes).</summary>
    static Row BarlowConv() =>
        new("barlow-conv", "Barlow Twins: conv-bn-64 encoder (one call per view), BN projector 3x256, lambda 5e-3, online probe; 2 views 1x28x28", 128, new StepCounts(5, 10, 5, 20),
            () => new BarlowTwinsMethod(Backbone.Parse("conv-bn", 1, 64, size: 28), 1, 28, 4 * 64, onlineProbeClasses: 10).Task,
            CliOptions(128, 2e-3), () => Batches.TwoViews(128, 1, 28, 10),
            s => new TwoViewReference(s, ConvNets.ConvEncoder, ConvNets.BarlowProjector, (z1, z2) => Losses.BarlowTwins(z1, z2, 5e-3)));

    /// <summary><c>train --method mae</c>: the Fashion-MNIST MAE with the CLI's default patch (side / 4 = 7, a 4×4 grid), mask 0.75.</summary>
    static Row MaeVit()
    {
        var config = MaeConfig.FashionMnist with { PatchSize = 7 };
        return new Row("mae-vit", "MAE: ViT 6x128 (4 heads, MLP 256), patch 7, decoder 2x64, mask 0.75; 1x28x28", 128, new StepCounts(5, 5, 5, 10),
            () => new MaeMethod(config).Task, CliOptions(128, 2e-3), () => Batches.Images(128, 1, 28), s => new MaeReference(s, config));
    }

    /// <summary>
    /// <c>train --method barlow --backbone resnet18 --dataset cifar10 --width 512</c>: CIFAR-stem ResNet-18,
    /// BN projector 3 × 2048, online probe (10 classes), 32×32×3.
    /// </summary>
    static Row BarlowResNet18(int batch, StepCounts counts) =>
        new($"barlow-resnet18-b{batch}", "Barlow Twins: ResNet-18 (CIFAR stem), BN projector 3x2048, online probe; 2 views 3x32x32", batch, counts,
            () => new BarlowTwinsMethod(Backbone.ResNet18(3), 3, 32, 2048, onlineProbeClasses: 10).Task,
            CliOptions(batch, 2e-3), () => Batches.TwoViews(batch, 3, 32, 10),
            s => new TwoViewReference(s, ConvNets.CifarResNet, ConvNets.BarlowProjector, (z1, z2) => Losses.BarlowTwins(z1, z2, 5e-3)));

    /// <summary>The Keras MAE example's configuration (48 px, 3 channels, patch 6, encoder 6×128, decoder 2×64) at its lr 5e-3.</summary>
    static Row MaeKeras()
    {
        var config = MaeConfig.Keras(3);
        return new Row("mae-keras", "MAE (Keras example): 48 px, patch 6, encoder 6x128 (4 heads, MLP 256), decoder 2x64, mask 0.75; 3x48x48", 256, new StepCounts(3, 1, 3, 3),
            () => new MaeTask(config), CliOptions(256, 5e-3), () => Batches.Images(256, 3, 48), s => new MaeReference(s, config));
    }

    /// <summary>
    /// ViT-B/16 classification as <c>supervised --method mae</c> builds it on the ViT-B/16 MAE encoder:
    /// the full 224-px image (no masking), class-token readout, linear head to 1,000 classes.
    /// </summary>
    static Row VitB16()
    {
        var config = MaeConfig.VitBase16;
        return new Row("vit-b16", "ViT-B/16 classifier: 224 px, 12x768 (12 heads), class token, head 1000; forward + backward + AdamW", 8, new StepCounts(3, 0, 2, 2),
            () => new ClassificationTask(new MaeMethod(config, readout: MaeReadout.Cls), 3, 224, 1000),
            CliOptions(8, 1e-3), () => Batches.Classification(8, 3, 224, 1000),
            s => new VitClassifierReference(s, config.PatchSize, config.EncoderHeads));
    }
}
