using Dsl.Execution;
using Dsl.Models.Data.Augment;
using Dsl.Models.Training;

namespace Dsl.Models.Methods;

/// <summary>
/// Everything the shared pretraining loop and its evaluation need to know about one method:
/// the training task, the augmented views each step feeds it, and the frozen-encoder features
/// that the linear probe and kNN read (built with the same names as in the task's checkpoints).
/// </summary>
public abstract class PretrainingMethod
{
    /// <summary>CLI and checkpoint name: "simclr", "barlow" or "mae".</summary>
    public abstract string Name { get; }

    /// <summary>Display name.</summary>
    public abstract string Title { get; }

    /// <summary>A short description of the configuration, for logs.</summary>
    public abstract string Describe();

    /// <summary>The task the <see cref="Trainer"/> optimises.</summary>
    public abstract ITrainingTask Task { get; }

    /// <summary>Whether the task's batches carry labels (an online probe trains on them).</summary>
    public bool NeedsLabels => Task is TwoViewTask { OnlineProbeClasses: > 0 };

    /// <summary>One augmentation pipeline per view input ("view1", "view2", …).</summary>
    public abstract IReadOnlyList<AugmentationPipeline> Views { get; }

    /// <summary>
    /// Declares the encoder in <paramref name="graph"/> under the names it has in the task's
    /// checkpoints, runs it on <paramref name="images"/> and returns the [N, D] features the probes
    /// read, the Backward of that computation and the encoder's registry (for initialisation and
    /// for fine-tuning). <paramref name="training"/> selects batch-norm mode.
    /// </summary>
    public abstract EncoderGraph BuildEncoder(Graph graph, Tensor images, bool training);

    /// <summary>Fresh (seeded) initial values of the encoder built by <see cref="BuildEncoder"/>.</summary>
    public abstract Dictionary<string, HostTensor> InitializeEncoder(EncoderGraph encoder, int seed);

    /// <summary>
    /// Declares the frozen encoder in <paramref name="graph"/> (eval mode, names as in the task)
    /// and returns its [N, D] features of <paramref name="images"/>.
    /// </summary>
    public Tensor Features(Graph graph, Tensor images) => BuildEncoder(graph, images, training: false).Features;
}

/// <summary>An encoder declared in a graph: its features, the tape of its generated Forward and its registry.</summary>
/// <param name="Features">[N, D] features: the encoder's output, or a readout computed from <see cref="Output"/>.</param>
/// <param name="Model">The encoder model.</param>
/// <param name="Tape">What the encoder's Forward recorded for its Backward.</param>
/// <param name="Registry">The encoder's parameters and buffers.</param>
public sealed record EncoderGraph(Tensor Features, IModule Model, ITape Tape, Registry Registry)
{
    /// <summary>The encoder's output when <see cref="Features"/> is a readout computed from it (null: the features are the output).</summary>
    public Tensor? Output { get; init; }

    /// <summary>
    /// Given d(features), accumulates the encoder's parameter gradients: through the readout's ops
    /// (their VJP rules) to the output when there is one, then the encoder's generated Backward.
    /// </summary>
    public void Backward(Tensor dFeatures, Gradients grads)
    {
        var dOutput = Output is null ? dFeatures : Vjp.Of(Features, dFeatures, Output)[0];
        Model.Backward(Tape, dOutput, grads);
    }
}
