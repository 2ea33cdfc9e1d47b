using Dsl.Execution;
using Dsl.Models.Training;

namespace Dsl.Bench.Rows;

/// <summary>
/// One benchmark row: a DSL training task with the trainer options it is trained with, a fixed
/// batch, and the hand-written TorchSharp reference of the same step.
/// </summary>
/// <param name="Name">Command-line name (e.g. "barlow-conv").</param>
/// <param name="Network">One line describing the network and optimizer.</param>
/// <param name="Images">Images per step (for img/s; a two-view step counts each image once).</param>
/// <param name="Counts">Default step counts, sized so that <c>all</c> stays near 15 minutes on 2 cores.</param>
/// <param name="Task">A fresh task (tasks keep their registries, so each trainer gets its own).</param>
/// <param name="Options">Trainer options (optimizer, constant learning rate, clipping, seed).</param>
/// <param name="Batch">The fixed inputs fed every step (seeded).</param>
/// <param name="Reference">Builds the TorchSharp reference from the DSL plan's initial values.</param>
sealed record Row(string Name, string Network, int Images, StepCounts Counts, Func<ITrainingTask> Task, TrainerOptions Options,
    Func<IReadOnlyDictionary<string, HostTensor>> Batch, Func<ReferenceSetup, IReferenceStep> Reference);

/// <summary>Steps of each variant: check (losses compared), untimed warmup, then rounds × steps timed.</summary>
sealed record StepCounts(int Check, int Warmup, int Rounds, int Steps);

/// <summary>What a reference starts from: the DSL step graph as built, its initial values, the options.</summary>
sealed record ReferenceSetup(Graph StepGraph, IReadOnlyDictionary<string, HostTensor> Init, TrainerOptions Options);

/// <summary>One hand-written training step on a batch; returns the loss before the update.</summary>
interface IReferenceStep : IDisposable
{
    double Run(IReadOnlyDictionary<string, HostTensor> batch);
}
