using Dsl;
using Dsl.Execution;
using Dsl.Models.Evaluation;
using Dsl.Models.Methods;
using Dsl.Models.Training;
using WritingModels.Mixer;
using WritingModels.Training;

namespace WritingModels.CustomTask;

/// <summary>
/// A training task of your own: the <see cref="MlpMixer"/> on cross-entropy with label smoothing
/// (ε spread over all classes, as PyTorch's <c>label_smoothing</c>), reporting accuracy and the mean
/// probability of the true class, with gradients from the model's generated Backward.
/// </summary>
public sealed class LabelSmoothingTask(double smoothing = 0.1) : ITrainingTask
{
    Registry? registry;

    /// <inheritdoc/>
    public string Name => "mixer_label_smoothing";

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var images = graph.Input(FashionBatches.Images, new Shape(batchSize, 1, 28, 28));
        var labels = graph.Input(FashionBatches.Labels, new Shape(batchSize), DType.Int64);
        var model = ModelContext.Build(graph, () => new MlpMixer(), out registry);

        // The generated Forward records on the tape what the generated Backward needs.
        var logits = model.Forward(images, out var tape);
        Tensor loss;
        using (graph.Scope("loss"))
        {
            var uniform = -Ops.Mean(Ops.LogSoftmax(logits, 1));          // cross-entropy against 1/K everywhere
            loss = Ops.CrossEntropy(logits, labels) * (1 - smoothing) + uniform * smoothing;
        }
        var metrics = new Dictionary<string, Tensor>();
        using (graph.Scope("metrics"))
        {
            metrics["accuracy"] = Accuracy.Top1(logits, labels);
            var picked = Ops.TakeAlongAxis(Ops.Softmax(logits, 1), Ops.Reshape(labels, batchSize, 1), 1);
            metrics["p_true"] = Ops.Mean(picked);
        }

        // d(loss)/d(logits) from the loss's own ops, then the model's generated reverse sweep.
        var grads = new Gradients();
        model.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), logits)[0], grads);
        var parameters = registry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, metrics, parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed) =>
        Initializers.Initialize(registry ?? throw new InvalidOperationException("Build the task's graph first."), seed);
}

/// <summary>Trains the <see cref="LabelSmoothingTask"/>.</summary>
public static class LabelSmoothingSample
{
    /// <summary>Trains for <paramref name="steps"/> steps; returns the losses.</summary>
    public static IReadOnlyList<double> Train(int steps) =>
        SampleTraining.Fit(new LabelSmoothingTask(), new FashionBatches(32), steps, batchSize: 32, learningRate: 3e-3);
}
