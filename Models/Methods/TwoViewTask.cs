using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// The shape shared by joint-embedding methods (SimCLR, Barlow Twins): two augmented views
/// ("view1", "view2", f32 [N, C, H, W]) through ONE backbone (<c>encoder.*</c>) and projection head
/// (<c>projector.*</c>) — their generated Backwards run once per view and the parameter gradients
/// add up — and a loss on the two projections.
/// </summary>
public abstract class TwoViewTask(Backbone backbone, int channels, int size) : ITrainingTask
{
    /// <summary>Prefix of the projection head's names.</summary>
    public const string HeadPrefix = "projector";

    Registry? encoderRegistry, headRegistry;

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
        var (z1, backward1) = Chain(encoder, head, view1);
        var (z2, backward2) = Chain(encoder, head, view2);
        Tensor loss;
        using (graph.Scope("loss")) loss = Loss(z1, z2);
        var dz = Vjp.Of(loss, Ops.OnesLike(loss), z1, z2);
        var grads = new Gradients();
        backward1(dz[0], grads);
        backward2(dz[1], grads);
        var parameters = encoderRegistry.Parameters.Concat(headRegistry.Parameters).Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, parameters.Select(p => grads[p]).ToArray());
    }

    (Tensor, Action<Tensor?, Gradients>) Chain(IModel encoder, IModel head, Tensor view)
    {
        var (h, encoderBackward) = Backbone.Forward(encoder, view);
        var (z, headBackward) = Project(head, h);
        return (z, (d, grads) => encoderBackward(headBackward(d, grads), grads));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed)
    {
        if (encoderRegistry is null || headRegistry is null) throw new InvalidOperationException("Build the task's graph before initialising it.");
        var values = Initializers.Initialize(encoderRegistry, seed);
        foreach (var (name, value) in Initializers.Initialize(headRegistry, seed + 1)) values[name] = value;
        return values;
    }
}
