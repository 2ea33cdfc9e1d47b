using Dsl.Execution;
using Dsl.Models.Evaluation;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// The shape shared by joint-embedding methods (SimCLR, Barlow Twins): two augmented views
/// ("view1", "view2", f32 [N, C, H, W]) through ONE backbone (<c>encoder.*</c>) and projection head
/// (<c>projector.*</c>) and a loss on the two projections. A backbone (or head) that couples no samples
/// runs both views as one call on their concatenation; one with batch norm runs once per view, and the
/// parameter gradients of the two calls add up, unless the method takes batch statistics over both views
/// (<see cref="ViewsShareBatchStatistics"/>). With <see cref="OnlineProbeClasses"/> set, a linear
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
    protected abstract IModule CreateHead(int features);

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
        var grads = new Gradients();
        var (h1, loss) = Backbone.BatchIndependent || ViewsShareBatchStatistics
            ? Batched(graph, encoder, head, view1, view2, batchSize, grads)
            : PerView(graph, encoder, head, view1, view2, grads);
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
                metrics["probe_accuracy"] = Accuracy.Top1(logits, labels);
            }
            trained = trained.Concat(probeRegistry.Parameters);
            auxiliary = probeRegistry.Parameters.Count;
        }
        var parameters = trained.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, metrics, parameters, parameters.Select(p => grads[p]).ToArray()) { AuxiliaryCount = auxiliary };
    }

    /// <summary>
    /// True when the method's batch norms in the encoder take their statistics over both views together
    /// (SimCLR's reference implementation passes the concatenated views as one batch), so a backbone with
    /// batch norm still runs both views as one call. False: per-view statistics, one call per view.
    /// </summary>
    protected virtual bool ViewsShareBatchStatistics => false;

    /// <summary>True when the head couples no samples of a batch, so both views may share one call.</summary>
    protected virtual bool HeadIsBatchIndependent => false;

    /// <summary>Each view through its own encoder and head calls; their generated Backwards add into one set of gradients.</summary>
    (Tensor H1, Tensor Loss) PerView(Graph graph, IModule encoder, IModule head, Tensor view1, Tensor view2, Gradients grads)
    {
        var h1 = encoder.Forward(view1, out var encoderTape1);
        var z1 = head.Forward(h1, out var headTape1);
        var h2 = encoder.Forward(view2, out var encoderTape2);
        var z2 = head.Forward(h2, out var headTape2);
        var loss = LossIn(graph, z1, z2);
        var dz = Vjp.Of(loss, Ops.OnesLike(loss), z1, z2);
        encoder.Backward(encoderTape1, head.Backward(headTape1, dz[0], grads), grads);
        encoder.Backward(encoderTape2, head.Backward(headTape2, dz[1], grads), grads);
        return (h1, loss);
    }

    /// <summary>
    /// Both views through the encoder as ONE call on their concatenation (and the head too when it
    /// couples no samples): the same result as two calls, with half as many kernel calls each twice as
    /// large in the forward and the backward.
    /// </summary>
    (Tensor H1, Tensor Loss) Batched(Graph graph, IModule encoder, IModule head, Tensor view1, Tensor view2, int n, Gradients grads)
    {
        var h = encoder.Forward(Ops.Concat(0, view1, view2), out var encoderTape);
        var (h1, h2) = (Ops.Slice(h, 0, 0, n), Ops.Slice(h, 0, n, 2 * n));
        if (HeadIsBatchIndependent)
        {
            var z = head.Forward(h, out var headTape);
            var (z1, z2) = (Ops.Slice(z, 0, 0, n), Ops.Slice(z, 0, n, 2 * n));
            var loss = LossIn(graph, z1, z2);
            var dz = Vjp.Of(loss, Ops.OnesLike(loss), z1, z2);
            encoder.Backward(encoderTape, head.Backward(headTape, Ops.Concat(0, dz[0]!, dz[1]!), grads), grads);
            return (h1, loss);
        }
        var p1 = head.Forward(h1, out var headTape1);
        var p2 = head.Forward(h2, out var headTape2);
        var lossPerView = LossIn(graph, p1, p2);
        var dp = Vjp.Of(lossPerView, Ops.OnesLike(lossPerView), p1, p2);
        var dh1 = head.Backward(headTape1, dp[0], grads);
        var dh2 = head.Backward(headTape2, dp[1], grads);
        encoder.Backward(encoderTape, Ops.Concat(0, dh1!, dh2!), grads);
        return (h1, lossPerView);
    }

    Tensor LossIn(Graph graph, Tensor z1, Tensor z2)
    {
        using (graph.Scope("loss")) return Loss(z1, z2);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed)
    {
        if (encoderRegistry is null || headRegistry is null) throw new InvalidOperationException("Build the task's graph before initialising it.");
        var values = Initializers.Initialize(encoderRegistry, seed);
        foreach (var (name, value) in Initializers.Initialize(headRegistry, Seeds.Derive(seed, "head"))) values[name] = value;
        if (probeRegistry is not null)
            foreach (var (name, value) in Initializers.Initialize(probeRegistry, Seeds.Derive(seed, "online_probe"))) values[name] = value;
        return values;
    }
}
