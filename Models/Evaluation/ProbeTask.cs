using Dsl.Execution;
using Dsl.Models.Blocks;
using Dsl.Models.Training;

namespace Dsl.Models.Evaluation;

/// <summary>
/// The linear probe as an <see cref="ITrainingTask"/> on frozen feature rows (inputs
/// <see cref="ShuffledBatches.RowsInput"/> f32 [B, dim], <see cref="ShuffledBatches.LabelsInput"/>
/// i64 [B]): a linear layer <c>head</c> on cross-entropy, after a <c>norm</c> batch norm when
/// <paramref name="normalize"/> (MAE's <c>BatchNorm1d(affine=False, eps=1e-6)</c>: the norm's weight
/// and bias stay at 1 and 0 because only the head is trained, so it is the affine-free function).
/// </summary>
/// <param name="dim">Feature width.</param>
/// <param name="classes">Number of classes.</param>
/// <param name="normalize">Put the affine-free batch norm before the head.</param>
/// <param name="headStd">Head weight init: truncated normal with this std (MoCo v3 / MAE: 0.01); null for PyTorch's nn.Linear default.</param>
public sealed class ProbeTask(int dim, int classes, bool normalize, double? headStd = null) : ITrainingTask
{
    const double NormEps = 1e-6;
    Registry? normRegistry, headRegistry;

    /// <inheritdoc/>
    public string Name => "linear_probe";

    /// <inheritdoc/>
    public TrainingGraph Build(Graph graph, int batchSize)
    {
        var x = graph.Input(ShuffledBatches.RowsInput, new Shape(batchSize, dim));
        var y = graph.Input(ShuffledBatches.LabelsInput, new Shape(batchSize), DType.Int64);
        if (normalize) x = ModelContext.Build(graph, () => new BatchNorm1d(dim, NormEps), out normRegistry, "norm").Forward(x, out _);
        var head = ModelContext.Build(graph, () => new Linear(dim, classes), out headRegistry, "head");
        var logits = head.Forward(x, out var tape);
        Tensor loss, accuracy;
        using (graph.Scope("loss")) loss = Ops.CrossEntropy(logits, y);
        using (graph.Scope("metrics")) accuracy = Accuracy.Top1(logits, y);
        var grads = new Gradients();
        head.Backward(tape, Vjp.Of(loss, Ops.OnesLike(loss), logits)[0]!, grads);   // the features are frozen: nothing below the head
        var parameters = headRegistry.Parameters.Select(p => p.Value).ToArray();
        return new TrainingGraph(loss, new Dictionary<string, Tensor> { ["accuracy"] = accuracy }, parameters, parameters.Select(p => grads[p]).ToArray());
    }

    /// <summary>Logits [N, classes] of feature rows <paramref name="x"/> ([N, dim, 1, 1] or [N, dim]), the norm in evaluation mode (running statistics).</summary>
    public Tensor Logits(Graph graph, Tensor x)
    {
        x = Ops.Reshape(x, x.Shape[0], dim);
        if (normalize)
            x = ModelContext.Build(graph, () =>
            {
                var norm = new BatchNorm1d(dim, NormEps);
                norm.SetTraining(false);
                return norm;
            }, "norm").Forward(x, out _);
        return ModelContext.Build(graph, () => new Linear(dim, classes), "head").Forward(x, out _);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> InitialValues(int seed)
    {
        if (headRegistry is null) throw new InvalidOperationException("Build the task's graph before initialising it.");
        var values = Initializers.Initialize(headRegistry, seed);
        if (headStd is double std)
        {
            var weight = headRegistry.Parameters.Single(p => p.Name == "head.weight").Value;
            values["head.weight"] = Initializers.TruncatedNormal(weight.Shape, std, new Random(Seeds.Derive(seed, "probe.head")));
        }
        if (normRegistry is not null)
            foreach (var (name, value) in Initializers.Initialize(normRegistry, seed)) values[name] = value;
        return values;
    }
}
