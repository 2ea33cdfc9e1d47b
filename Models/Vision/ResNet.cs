using Dsl.Models.Blocks;

namespace Dsl.Models.Vision;

/// <summary>
/// torchvision's ResNet shortcut projection <c>downsample</c> = Sequential(conv1x1, BatchNorm2d):
/// parameters <c>downsample.0.weight</c> and <c>downsample.1.{weight, bias, running_mean, running_var}</c>.
/// </summary>
/// <remarks>
/// The fields <c>_0</c> and <c>_1</c> become the names <c>0</c> and <c>1</c> (the generator's
/// snake-casing drops leading underscores), which is how a Sequential's children are named.
/// </remarks>
[Model]
public partial class Downsample
{
    [Module] readonly Conv2d _0;
    [Module] readonly BatchNorm2d _1;

    /// <summary>A 1×1, bias-free convolution with <paramref name="stride"/>, then batch normalisation.</summary>
    public Downsample(int inChannels, int outChannels, int stride)
    {
        _0 = new Conv2d(inChannels, outChannels, 1, stride, bias: false);
        _1 = new BatchNorm2d(outChannels);
    }

    /// <summary>Training mode of the batch normalisation.</summary>
    public bool Training { get => _1.Training; set => _1.Training = value; }

    /// <summary>[N, in, H, W] → [N, out, H/stride, W/stride].</summary>
    [Forward]
    public Tensor Forward(Tensor x) => _1.Forward(_0.Forward(x));
}

/// <summary>
/// torchvision's ResNet <c>BasicBlock</c>: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)),
/// 3×3 bias-free convolutions (the first with the block's stride), the shortcut a
/// <see cref="Downsample"/> when the stride or width changes, else the identity.
/// </summary>
[Model]
public partial class BasicBlock
{
    [Module] readonly Conv2d conv1;
    [Module] readonly BatchNorm2d bn1;
    [Module] readonly Conv2d conv2;
    [Module] readonly BatchNorm2d bn2;
    [Module] readonly Downsample? downsample;   // null (not registered) when the shortcut is the identity
    readonly bool hasDownsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(int inPlanes, int planes, int stride = 1)
    {
        conv1 = new Conv2d(inPlanes, planes, 3, stride, padding: 1, bias: false);
        bn1 = new BatchNorm2d(planes);
        conv2 = new Conv2d(planes, planes, 3, 1, padding: 1, bias: false);
        bn2 = new BatchNorm2d(planes);
        hasDownsample = stride != 1 || inPlanes != planes;
        downsample = hasDownsample ? new Downsample(inPlanes, planes, stride) : null;
    }

    /// <summary>Whether the shortcut is a projection (<c>downsample.*</c> parameters exist).</summary>
    public bool HasDownsample => hasDownsample;

    /// <summary>Training mode of every batch normalisation in the block.</summary>
    public bool Training
    {
        get => bn1.Training;
        set
        {
            bn1.Training = value;
            bn2.Training = value;
            if (downsample is not null) downsample.Training = value;
        }
    }

    /// <summary>[N, in, H, W] → [N, planes, H/stride, W/stride].</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var identity = x;
        var y = Ops.Relu(bn1.Forward(conv1.Forward(x)));
        y = bn2.Forward(conv2.Forward(y));
        if (hasDownsample) identity = downsample!.Forward(x);
        return Ops.Relu(y + identity);
    }
}

/// <summary>
/// torchvision's ResNet with <see cref="BasicBlock"/>s (ResNet-18/34), with torchvision's names:
/// <c>conv1</c>, <c>bn1</c>, <c>layer1</c>…<c>layer4</c>, <c>fc</c>. The ImageNet stem is a 7×7
/// stride-2 convolution, batch norm, ReLU and 3×3 stride-2 max pooling; the CIFAR stem a 3×3
/// stride-1 convolution without pooling. Global average pooling precedes <c>fc</c>.
/// </summary>
/// <remarks>
/// <c>fc</c> is present unless 0 classes are asked for (a backbone); BatchNorm
/// layers keep <c>running_mean</c>/<c>running_var</c> but not <c>num_batches_tracked</c>.
/// </remarks>
[Model]
public partial class ResNet
{
    [Module] readonly Conv2d conv1;
    [Module] readonly BatchNorm2d bn1;
    [Module] readonly List<BasicBlock> layer1, layer2, layer3, layer4;
    [Module] readonly Linear? fc;
    readonly bool cifarStem, hasFc;

    /// <summary>
    /// A ResNet with <paramref name="layers"/>[i] blocks in stage i+1 (4 stages), widths
    /// <paramref name="width"/>·(1, 2, 4, 8), and <paramref name="numClasses"/> outputs; with 0 classes
    /// there is no <c>fc</c> and the forward returns the pooled features (a backbone, as timm's
    /// <c>num_classes=0</c>).
    /// </summary>
    public ResNet(int[] layers, int numClasses = 1000, bool cifarStem = false, int width = 64, int inChans = 3)
    {
        if (layers is not { Length: 4 }) throw new ArgumentException("A ResNet has 4 stages.", nameof(layers));
        if (numClasses < 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "Pass 0 classes for a backbone without fc, or a positive count.");
        this.cifarStem = cifarStem;
        conv1 = cifarStem
            ? new Conv2d(inChans, width, 3, 1, padding: 1, bias: false)
            : new Conv2d(inChans, width, 7, 2, padding: 3, bias: false);
        bn1 = new BatchNorm2d(width);
        int inPlanes = width;
        List<BasicBlock> Stage(int planes, int blocks, int stride)
        {
            var stage = new List<BasicBlock>();
            for (int i = 0; i < blocks; i++)
            {
                stage.Add(new BasicBlock(inPlanes, planes, i == 0 ? stride : 1));
                inPlanes = planes;
            }
            return stage;
        }
        layer1 = Stage(width, layers[0], 1);
        layer2 = Stage(2 * width, layers[1], 2);
        layer3 = Stage(4 * width, layers[2], 2);
        layer4 = Stage(8 * width, layers[3], 2);
        hasFc = numClasses > 0;
        fc = hasFc ? new Linear(8 * width, numClasses) : null;
        Features = 8 * width;
    }

    /// <summary>Width of the pooled features (the input of <c>fc</c>).</summary>
    public int Features { get; }

    /// <summary>ResNet-18: stages of (2, 2, 2, 2) blocks.</summary>
    public static ResNet ResNet18(int numClasses = 1000, bool cifarStem = false, int width = 64, int inChans = 3) => new([2, 2, 2, 2], numClasses, cifarStem, width, inChans);

    /// <summary>ResNet-34: stages of (3, 4, 6, 3) blocks.</summary>
    public static ResNet ResNet34(int numClasses = 1000, bool cifarStem = false, int width = 64, int inChans = 3) => new([3, 4, 6, 3], numClasses, cifarStem, width, inChans);

    /// <summary>Training mode of every batch normalisation.</summary>
    public bool Training
    {
        get => bn1.Training;
        set
        {
            bn1.Training = value;
            foreach (var block in layer1.Concat(layer2).Concat(layer3).Concat(layer4)) block.Training = value;
        }
    }

    /// <summary>[N, C, H, W] images → [N, classes] logits (or [N, features] without <c>fc</c>).</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        var y = Ops.Relu(bn1.Forward(conv1.Forward(x)));
        if (!cifarStem) y = Ops.MaxPool2d(y, 3, 2, 1);
        foreach (var block in layer1) y = block.Forward(y);
        foreach (var block in layer2) y = block.Forward(y);
        foreach (var block in layer3) y = block.Forward(y);
        foreach (var block in layer4) y = block.Forward(y);
        var pooled = Ops.GlobalAvgPool2d(y);
        if (hasFc) pooled = fc!.Forward(pooled);
        return pooled;
    }
}
