using Dsl.Models.Blocks;
using Dsl.Models.Losses;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// The Keras SimCLR example's encoder: four 3×3 stride-2 convolutions of one width with ReLU,
/// then global average pooling to [N, width].
/// </summary>
[Model]
public partial class ConvEncoder
{
    [Module] readonly Conv2d[] convs;

    /// <summary>An encoder for <paramref name="channels"/>-channel images.</summary>
    public ConvEncoder(int channels, int width = 128)
    {
        convs = [new Conv2d(channels, width, 3, 2, 1), new Conv2d(width, width, 3, 2, 1), new Conv2d(width, width, 3, 2, 1), new Conv2d(width, width, 3, 2, 1)];
        Width = width;
    }

    /// <summary>Feature size.</summary>
    public int Width { get; }

    /// <summary>[N, C, H, W] images → [N, width] features.</summary>
    [Forward]
    public Tensor Forward(Tensor x)
    {
        foreach (var conv in convs) x = Ops.Relu(conv.Forward(x));
        return Ops.GlobalAvgPool2d(x);
    }
}

/// <summary>SimCLR's network: encoder, then a two-layer projection head (Linear, ReLU, Linear).</summary>
[Model]
public partial class SimClrNetwork
{
    [Module] readonly ConvEncoder encoder;
    [Module] readonly Linear projector1, projector2;

    /// <summary>A network with the given encoder width and projection size.</summary>
    public SimClrNetwork(int channels, int width = 128, int projection = 128)
    {
        encoder = new ConvEncoder(channels, width);
        projector1 = new Linear(width, width);
        projector2 = new Linear(width, projection);
    }

    /// <summary>Images → projections used by the contrastive loss.</summary>
    [Forward]
    public Tensor Forward(Tensor x) => projector2.Forward(Ops.Relu(projector1.Forward(encoder.Forward(x))));
}

/// <summary>
/// SimCLR pretraining as a training task: both augmented views go through ONE network (weight
/// sharing: its generated Backward runs once per view and the gradients add up), NT-Xent loss.
/// Inputs "view1" and "view2" are f32 [N, C, H, W].
/// </summary>
public sealed class SimClrTask(int channels, int size, int width = 128, int projection = 128, double temperature = 0.1) : ITrainingTask
{
    Registry? registry;

    /// <inheritdoc/>
    public string Name => "simclr";

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var shape = new Shape(batchSize, channels, size, size);
        var view1 = graph.Input("view1", shape);
        var view2 = graph.Input("view2", shape);
        var net = ModelContext.Build(graph, () => new SimClrNetwork(channels, width, projection), out registry);
        var z1 = net.Forward(view1, out var tape1);
        var z2 = net.Forward(view2, out var tape2);
        Tensor loss;
        using (graph.Scope("loss")) loss = SelfSupervisedLosses.NtXent(z1, z2, temperature);
        var dz = Vjp.Of(loss, Ops.OnesLike(loss), z1, z2);
        var grads = new Gradients();
        net.Backward(tape1, dz[0], grads);
        net.Backward(tape2, dz[1], grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the task's graph before initialising it."), seed);
}
