using Dsl.Models.Training;

namespace Dsl.Models.Tasks;

/// <summary>Supervised classification with the <see cref="Mlp"/> (cross-entropy), as an <see cref="ITrainingTask"/>.</summary>
public sealed class SupervisedMlpTask(Mlp mlp) : ITrainingTask
{
    /// <inheritdoc/>
    public string Name => "supervised_mlp";

    /// <summary>The network.</summary>
    public Mlp Mlp { get; } = mlp;

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var x = graph.Input(Mlp.ImagesInput, new Shape(batchSize, Mlp.Inputs));
        var y = graph.Input(Mlp.LabelsInput, new Shape(batchSize), DType.Int64);
        var parameters = Mlp.DeclareParameters(graph);
        var logits = Mlp.Forward(x);
        Tensor loss, accuracy;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, y);
        using (graph.Scope("metrics")) accuracy = Mlp.Accuracy(logits, y);
        return new TrainingGraph(loss, new Dictionary<string, Tensor> { ["accuracy"] = accuracy }, parameters, Autodiff.Gradients(loss, parameters));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) => Mlp.InitialParameters(seed);
}
