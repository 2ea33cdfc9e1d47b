using Dsl.Bench.Rows;
using Dsl.Execution;
using Dsl.Models.Training;
using static TorchSharp.torch.nn.functional;

namespace Dsl.Bench.Reference;

/// <summary>The supervised MLP by hand: linear, GELU, linear, cross-entropy (and the batch accuracy the DSL reports).</summary>
sealed class MlpReference(ReferenceSetup setup) : TorchStep(setup)
{
    protected override StepTensors Forward(IReadOnlyDictionary<string, HostTensor> batch)
    {
        var (x, y) = (Host.Input(batch, ShuffledBatches.RowsInput), Host.Input(batch, ShuffledBatches.LabelsInput));
        var p = Parameters;
        var logits = linear(gelu(linear(x, p["fc1.weight"], p["fc1.bias"])), p["fc2.weight"], p["fc2.bias"]);
        return new StepTensors(cross_entropy(logits, y), null, Losses.Accuracy(logits, y));
    }
}
