using System.Diagnostics;

namespace Dsl.Models.Training;

/// <summary>How a <see cref="CheckpointedRun"/> ended.</summary>
public enum RunOutcome
{
    /// <summary>All steps were taken and the last checkpoint saved.</summary>
    Completed,

    /// <summary>The stop token was cancelled (Ctrl-C, SIGTERM): the current step finished and was saved.</summary>
    Interrupted,
}

/// <summary>
/// The shared loop with its checkpoints: runs a <see cref="Trainer"/>, saving to a <see cref="CheckpointFolder"/>
/// by a <see cref="SaveSchedule"/>, after the last step and when stopped; with <see cref="NonFinitePolicy.Rollback"/>
/// it answers a non-finite step by reloading the newest good checkpoint and halving the learning rate.
/// Checkpoints hold the step, so a run resumed from any of them equals the uninterrupted one bit for bit.
/// </summary>
/// <param name="trainer">The trainer (already resumed, if resuming).</param>
/// <param name="folder">Where checkpoints go.</param>
/// <param name="schedule">When to save.</param>
/// <param name="metadata">Metadata written into every checkpoint (e.g. the run's settings).</param>
public sealed class CheckpointedRun(Trainer trainer, CheckpointFolder folder, SaveSchedule schedule, IReadOnlyDictionary<string, string>? metadata = null)
{
    /// <summary>The folder checkpoints go to.</summary>
    public string Folder => folder.Folder;

    /// <summary>Rollbacks allowed before the run gives up (each halves the learning rate).</summary>
    public int MaxRollbacks { get; init; } = 10;

    /// <summary>The last checkpoint written or loaded by this run, if any (set it to the checkpoint a resumed run started from).</summary>
    public string? LastCheckpoint { get; set; }

    /// <summary>Raised after each checkpoint is written, with its path.</summary>
    public event Action<string>? Saved;

    /// <summary>Raised after a rollback: the non-finite step's error and the checkpoint reloaded (the trainer is at its step).</summary>
    public event Action<NonFiniteException, string>? RolledBack;

    /// <summary>
    /// Trains until step <paramref name="untilStep"/> or until <paramref name="stop"/> is cancelled, then saves.
    /// </summary>
    /// <exception cref="NonFiniteException">A step was not finite (policy stop, or rollback with nothing good left): nothing new was saved.</exception>
    public RunOutcome Run(IBatchSource source, long untilStep, Action<StepResult>? onStep = null, CancellationToken stop = default)
    {
        var sinceSave = Stopwatch.StartNew();
        long savedStep = -1;
        void Save()
        {
            LastCheckpoint = folder.Save(trainer, metadata);
            savedStep = trainer.Step;
            sinceSave.Restart();
            Saved?.Invoke(LastCheckpoint);
        }
        // A rollback needs a good checkpoint to go back to.
        if (trainer.Options.NonFinite == NonFinitePolicy.Rollback && folder.List().Count == 0) Save();
        int rollbacks = 0;
        while (true)
        {
            try
            {
                trainer.Fit(source, untilStep, r =>
                {
                    onStep?.Invoke(r);
                    if (trainer.Step < untilStep && schedule.Due(trainer.Step, sinceSave.Elapsed)) Save();
                }, stop);
                break;
            }
            catch (NonFiniteException e) when (trainer.Options.NonFinite == NonFinitePolicy.Rollback && rollbacks < MaxRollbacks)
            {
                rollbacks++;
                double scale = trainer.LearningRateScale / 2;
                var (path, _) = folder.LoadNewest(trainer) ?? throw new InvalidOperationException($"{e.Message} There is no checkpoint in '{folder.Folder}' to roll back to.", e);
                trainer.LearningRateScale = scale;
                LastCheckpoint = path;
                savedStep = trainer.Step;
                RolledBack?.Invoke(e, path);
            }
        }
        if (savedStep != trainer.Step) Save();
        return trainer.Step < untilStep ? RunOutcome.Interrupted : RunOutcome.Completed;
    }
}
