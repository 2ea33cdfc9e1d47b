using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Data;
using Dsl.Models.Evaluation;
using Dsl.Models.Training;

namespace Dsl.Models.Tasks;

/// <summary>
/// Supervised classification of flattened images with the <see cref="Mlp"/> block (inputs → hidden →
/// classes, parameters <c>fc1.*</c>, <c>fc2.*</c> as PyTorch names them) on cross-entropy, as an
/// <see cref="ITrainingTask"/>: inputs <see cref="ShuffledBatches.RowsInput"/> (f32 [B, inputs]) and
/// <see cref="ShuffledBatches.LabelsInput"/> (i64 [B]); reports "accuracy".
/// </summary>
/// <param name="inputs">Input features (784 for 28×28 images).</param>
/// <param name="hidden">Hidden width.</param>
/// <param name="classes">Number of classes.</param>
/// <param name="activation">Hidden nonlinearity.</param>
public sealed class SupervisedMlpTask(int inputs, int hidden, int classes, Activation activation = Activation.Gelu) : ITrainingTask
{
    Registry? registry;

    /// <inheritdoc/>
    public string Name => "supervised_mlp";

    /// <summary>Input features.</summary>
    public int Inputs { get; } = inputs;
    /// <summary>Hidden width.</summary>
    public int Hidden { get; } = hidden;
    /// <summary>Number of classes.</summary>
    public int Classes { get; } = classes;

    /// <summary>A new network of this task's shape, to declare in a graph with <c>ModelContext.Build</c> (evaluation graphs).</summary>
    public Mlp Create() => new(Inputs, Hidden, Classes, activation);

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var x = graph.Input(ShuffledBatches.RowsInput, new Shape(batchSize, Inputs));
        var y = graph.Input(ShuffledBatches.LabelsInput, new Shape(batchSize), DType.Int64);
        var mlp = ModelContext.Build(graph, Create, out registry);
        var logits = mlp.Forward(x, out var tape);
        Tensor loss, accuracy;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, y);
        using (graph.Scope("metrics")) accuracy = Accuracy.Top1(logits, y);
        var grads = new Gradients();
        mlp.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), logits)[0]!, grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor> { ["accuracy"] = accuracy }, parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <summary>Top-1 accuracy (<see cref="Accuracy"/>) on a labelled split, through an evaluation graph holding <paramref name="parameters"/> (e.g. <see cref="Trainer.ModelValues"/>).</summary>
    public double TestAccuracy(IBackend backend, IReadOnlyDictionary<string, HostTensor> parameters, ImageDataset split, int batch = 1000)
    {
        if (split.Labels is null) throw new ArgumentException("Accuracy needs a labelled split.", nameof(split));
        Tensor Logits(Graph g, Tensor x) => ModelContext.Build(g, Create).Forward(Ops.Reshape(x, x.Shape[0], Inputs), out _);
        var (logits, classes) = Features.Extract(backend, Logits, parameters, split.Pixels, split.Count, split.Channels, split.Height, split.Width, batch);
        return Accuracy.Top1(logits, Array.ConvertAll(split.Labels, l => (long)l), classes);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the task's graph before initialising it."), seed);
}
