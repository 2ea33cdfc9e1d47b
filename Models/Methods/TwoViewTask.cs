using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// The shape shared by joint-embedding methods (SimCLR, Barlow Twins): two augmented views
/// ("view1", "view2", f32 [N, C, H, W]) through ONE network — its generated Backward runs once per
/// view and the parameter gradients add up — and a loss on the two projections.
/// </summary>
public abstract class TwoViewTask(int channels, int size) : ITrainingTask
{
    Registry? registry;

    /// <summary>Image channels.</summary>
    protected int Channels { get; } = channels;

    /// <summary>Image height and width.</summary>
    protected int Size { get; } = size;

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <summary>Constructs the network (called inside <see cref="ModelContext.Build{T}(Graph, Func{T}, out Registry, string, DType)"/>).</summary>
    protected abstract IModel CreateNetwork();

    /// <summary>Runs the network's generated Forward on one view; returns the projection and its Backward.</summary>
    protected abstract (Tensor Projection, Action<Tensor?, Gradients> Backward) Project(IModel network, Tensor view);

    /// <summary>The method's loss on the two projections.</summary>
    protected abstract Tensor Loss(Tensor z1, Tensor z2);

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var shape = new Shape(batchSize, Channels, Size, Size);
        var view1 = graph.Input("view1", shape);
        var view2 = graph.Input("view2", shape);
        var network = ModelContext.Build(graph, CreateNetwork, out registry);
        var (z1, backward1) = Project(network, view1);
        var (z2, backward2) = Project(network, view2);
        Tensor loss;
        using (graph.Scope("loss")) loss = Loss(z1, z2);
        var dz = Vjp.Of(loss, Ops.OnesLike(loss), z1, z2);
        var grads = new Gradients();
        backward1(dz[0], grads);
        backward2(dz[1], grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the task's graph before initialising it."), seed);
}
