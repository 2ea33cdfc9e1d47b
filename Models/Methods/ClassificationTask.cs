using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Evaluation;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// Supervised training of a method's encoder with a linear head (<c>head</c>) on cross-entropy:
/// the supervised baseline when started from random init, fine-tuning when started from a
/// pretrained checkpoint (<see cref="Pretrained"/>). Inputs "view1" (f32 [N, C, H, W]) and
/// "labels" (i64 [N]); reports "accuracy".
/// </summary>
/// <param name="method">Whose encoder (and names) to train.</param>
/// <param name="channels">Image channels.</param>
/// <param name="size">Image height and width.</param>
/// <param name="classes">Number of classes.</param>
/// <param name="name">Task name recorded in checkpoints ("supervised" or "finetune").</param>
public sealed class ClassificationTask(PretrainingMethod method, int channels, int size, int classes, string name = "supervised") : ITrainingTask
{
    /// <summary>Name of the label input.</summary>
    public const string LabelsInput = "labels";

    EncoderGraph? encoder;
    Registry? headRegistry;

    /// <inheritdoc/>
    public string Name => name;

    /// <summary>Encoder values to start from (by name) instead of a random init; missing names are an error.</summary>
    public IReadOnlyDictionary<string, HostTensor>? Pretrained { get; init; }

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var images = graph.Input("view1", new Shape(batchSize, channels, size, size));
        var labels = graph.Input(LabelsInput, new Shape(batchSize), DType.Int64);
        encoder = method.BuildEncoder(graph, images, training: true);
        var head = ModelContext.Build(graph, () => new Linear(encoder.Features.Shape[1], classes), out headRegistry, "head");
        var logits = head.Forward(encoder.Features, out var tape);
        Tensor loss, accuracy;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, labels);
        using (graph.Scope("metrics")) accuracy = Accuracy.Top1(logits, labels);
        var grads = new Gradients();
        var dFeatures = head.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), logits)[0], grads);
        encoder.Backward(dFeatures!, grads);
        var parameters = encoder.Registry.Parameters.Concat(headRegistry.Parameters).Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor> { ["accuracy"] = accuracy }, parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed)
    {
        if (encoder is null || headRegistry is null) throw new InvalidOperationException("Build the task's graph before initialising it.");
        var values = method.InitializeEncoder(encoder, seed);
        if (Pretrained is { } pretrained)
            foreach (var key in values.Keys.ToArray())
                values[key] = pretrained.TryGetValue(key, out var v) ? v
                    : throw new KeyNotFoundException($"The pretrained weights lack '{key}': they come from another method or configuration.");
        foreach (var (key, value) in Initializers.Initialize(headRegistry, Seeds.Derive(seed, "head"))) values[key] = value;
        return values;
    }
}
