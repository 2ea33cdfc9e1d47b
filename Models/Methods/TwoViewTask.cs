using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// The shape shared by joint-embedding methods (SimCLR, Barlow Twins): two augmented views
/// ("view1", "view2", f32 [N, C, H, W]) through ONE backbone (<c>encoder.*</c>) and projection head
/// (<c>projector.*</c>) — their generated Backwards run once per view and the parameter gradients
/// add up — and a loss on the two projections. With <see cref="OnlineProbeClasses"/> set, a linear
/// classifier (<c>online_probe.*</c>) also learns from labels ("labels", i64 [N]) on the stopped-gradient
/// features of the first view, as the Keras SimCLR example's probe, reporting "probe_accuracy".
/// </summary>
public abstract class TwoViewTask(Backbone backbone, int channels, int size) : ITrainingTask
{
    /// <summary>Prefix of the projection head's names.</summary>
    public const string HeadPrefix = "projector";

    /// <summary>Prefix of the online probe's names.</summary>
    public const string ProbePrefix = "online_probe";

    Registry? encoderRegistry, headRegistry, probeRegistry;

    /// <summary>Classes of the online linear probe; 0 (the default) trains none and needs no labels.</summary>
    public int OnlineProbeClasses { get; init; }

    /// <summary>The encoder.</summary>
    public Backbone Backbone { get; } = backbone;

    /// <summary>Image channels.</summary>
    protected int Channels { get; } = channels;

    /// <summary>Image height and width.</summary>
    protected int Size { get; } = size;

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>Constructs the projection head on <paramref name="features"/> backbone features.</summary>
    protected abstract IModel CreateHead(int features);

    /// <summary>Runs the head's generated Forward; returns the projection and its Backward (which returns the features' gradient).</summary>
    protected abstract (Tensor Projection, Func<Tensor?, Gradients, Tensor?> Backward) Project(IModel head, Tensor features);

    /// <summary>The method's loss on the two projections.</summary>
    protected abstract Tensor Loss(Tensor z1, Tensor z2);

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var shape = new Shape(batchSize, Channels, Size, Size);
        var view1 = graph.Input("view1", shape);
        var view2 = graph.Input("view2", shape);
        var encoder = Backbone.Build(graph, training: true, out encoderRegistry);
        var head = ModelContext.Build(graph, () => CreateHead(Backbone.Features), out headRegistry, HeadPrefix);
        var (h1, z1, backward1) = Chain(encoder, head, view1);
        var (_, z2, backward2) = Chain(encoder, head, view2);
        Tensor loss;
        using (graph.Scope("loss")) loss = Loss(z1, z2);
        var dz = Vjp.Of(loss, Ops.OnesLike(loss), z1, z2);
        var grads = new Gradients();
        backward1(dz[0], grads);
        backward2(dz[1], grads);
        var metrics = new Dictionary<string, Tensor>();
        IEnumerable<NamedValue> trained = encoderRegistry.Parameters.Concat(headRegistry.Parameters);
        int auxiliary = 0;
        if (OnlineProbeClasses > 0)
        {
            var labels = graph.Input(ClassificationTask.LabelsInput, new Shape(batchSize), DType.Int64);
            var probe = ModelContext.Build(graph, () => new Blocks.Linear(Backbone.Features, OnlineProbeClasses), out probeRegistry, ProbePrefix);
            // The probe reads the features but must not train the encoder: its input gradient is dropped.
            var logits = probe.Forward(Ops.StopGradient(h1), out var tape);
            using (graph.Scope("online_probe_loss"))
            {
                var probeLoss = Ops.CrossEntropy(logits, labels);
                probe.Backward(tape, Vjp.Of(probeLoss, Ops.OnesLike(probeLoss), logits)[0], grads);
                metrics["probe_loss"] = probeLoss;
                metrics["probe_accuracy"] = ClassificationTask.Top1Accuracy(logits, labels);
            }
            trained = trained.Concat(probeRegistry.Parameters);
            auxiliary = probeRegistry.Parameters.Count;
        }
        var parameters = trained.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, metrics, parameters, parameters.Select(p => grads[p]).ToArray()) { AuxiliaryCount = auxiliary };
    }

    (Tensor Features, Tensor Projection, Action<Tensor?, Gradients> Backward) Chain(IModel encoder, IModel head, Tensor view)
    {
        var (h, encoderBackward) = Backbone.Forward(encoder, view);
        var (z, headBackward) = Project(head, h);
        return (h, z, (d, grads) => encoderBackward(headBackward(d, grads), grads));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed)
    {
        if (encoderRegistry is null || headRegistry is null) throw new InvalidOperationException("Build the task's graph before initialising it.");
        var values = Initializers.Initialize(encoderRegistry, seed);
        foreach (var (name, value) in Initializers.Initialize(headRegistry, seed + 1)) values[name] = value;
        if (probeRegistry is not null)
            foreach (var (name, value) in Initializers.Initialize(probeRegistry, seed + 2)) values[name] = value;
        return values;
    }
}
