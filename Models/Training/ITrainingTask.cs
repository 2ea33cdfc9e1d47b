using Dsl.Execution;
namespace Dsl.Models.Training;

/// <summary>
/// Something the <see cref="Trainer"/> can optimise: it declares its inputs, builds its model and
/// loss into a step graph and says which parameters to train. MAE, SimCLR, Barlow Twins and
/// supervised baselines all implement it, so one loop trains them all.
/// </summary>
public interface ITrainingTask
{
    /// <summary>Short name, recorded in checkpoints (e.g. "simclr").</summary>
    string Name { get; }

    /// <summary>
    /// Declares the batch inputs in <paramref name="graph"/>, builds the model and its loss, and
    /// returns the loss, metrics and (parameter, gradient) pairs. Random ops must draw from the
    /// graph's <see cref="Trainer.SeedInput"/> input so runs are reproducible and resumable.
    /// </summary>
    TrainingGraph Build(Graph graph, int batchSize);

    /// <summary>Initial values of the parameters and buffers (seeded).</summary>
    IReadOnlyDictionary<string, HostTensor> InitialValues(int seed);
}

/// <summary>What a task's step graph computes.</summary>
/// <param name="Loss">Scalar loss.</param>
/// <param name="Metrics">Scalar metrics to log, by name.</param>
/// <param name="Parameters">Trainable parameters.</param>
/// <param name="Gradients">d(loss)/d(parameter), aligned with <paramref name="Parameters"/>.</param>
public sealed record TrainingGraph(Tensor Loss, IReadOnlyDictionary<string, Tensor> Metrics, IReadOnlyList<Tensor> Parameters, IReadOnlyList<Tensor> Gradients)
{
    /// <summary>
    /// How many of the last <see cref="Parameters"/> belong to an auxiliary head (e.g. an online
    /// probe) that must not influence the model's training: the trainer clips their gradients by
    /// their own global norm instead of the model's.
    /// </summary>
    public int AuxiliaryCount { get; init; }
}

/// <summary>Batches by step index, so a resumed run sees exactly the batches the original would have.</summary>
public interface IBatchSource
{
    /// <summary>The inputs of step <paramref name="step"/> (deterministic in the step and the source's seed).</summary>
    IReadOnlyDictionary<string, HostTensor> Batch(long step);
}
