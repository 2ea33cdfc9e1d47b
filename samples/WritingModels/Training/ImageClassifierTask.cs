using Dsl;
using Dsl.Execution;
using Dsl.Models.Training;

namespace WritingModels.Training;

/// <summary>
/// Cross-entropy classification of Fashion-MNIST images with any [Model] that maps [B, 1, 28, 28]
/// images to [B, 10] logits. Every such model implements the generated <see cref="IModule"/>
/// (one Tensor in, one out), so the task runs its generated Forward and Backward without knowing its type.
/// </summary>
public sealed class ImageClassifierTask(string name, Func<IModule> create) : ITrainingTask
{
    Registry? registry;

    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var images = graph.Input(FashionBatches.Images, new Shape(batchSize, 1, 28, 28));
        var labels = graph.Input(FashionBatches.Labels, new Shape(batchSize), DType.Int64);
        var model = ModelContext.Build(graph, create, out registry);
        var logits = model.Forward(images, out var tape);
        Tensor loss;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, labels);
        var grads = new Gradients();
        model.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), logits)[0], grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the task's graph first."), seed);
}
