using Dsl;
using Dsl.Models.Training;

namespace WritingModels.Training;

/// <summary>
/// Cross-entropy classification of Fashion-MNIST images with any [Model] whose Forward maps
/// [B, 1, 28, 28] images to [B, 10] logits. Gradients come from graph-level autodiff over the
/// nodes the model's Forward appended (the generated Backward is shown in CustomTask/).
/// </summary>
public sealed class ImageClassifierTask<TModel>(string name, Func<TModel> create, Func<TModel, Tensor, Tensor> forward) : ITrainingTask
    where TModel : IModel
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
        var logits = forward(model, images);
        Tensor loss;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, labels);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor>(), parameters, Autodiff.Gradients(loss, parameters));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the task's graph first."), seed);
}
