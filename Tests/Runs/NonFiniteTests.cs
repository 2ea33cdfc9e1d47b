using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Data;
using Dsl.Models.Tasks;
using Dsl.Models.Training;

namespace Dsl.Tests.Runs;

/// <summary>
/// NaN and infinity in a step's outputs are caught at that step, named with the step, the learning rate and the
/// output, and handled by the policy (stop, skip, rollback); no policy writes bad values over a good checkpoint.
/// The faults are injected through the input images of one chosen step.
/// </summary>
public sealed class NonFiniteTests : IDisposable
{
    static readonly Lazy<FashionMnist> Data = new(() => FashionMnist.Load());
    readonly string dir = Directory.CreateTempSubdirectory("nonfinite").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>The batches of a shuffled source, with every pixel of the batch of <paramref name="badStep"/> set to <paramref name="value"/>.</summary>
    sealed class Poisoned(long badStep, float value, int times = 1) : IBatchSource
    {
        readonly ShuffledBatches inner = new(Data.Value.Train, 16, seed: 2, limit: 160);
        int poisoned;

        public IReadOnlyDictionary<string, HostTensor> Batch(long step)
        {
            var batch = inner.Batch(step);
            if (step != badStep || poisoned++ >= times) return batch;
            var images = batch[ShuffledBatches.RowsInput];
            return new Dictionary<string, HostTensor>(batch) { [ShuffledBatches.RowsInput] = HostTensor.Filled(images.Shape, images.DType, value) };
        }
    }

    static Trainer NewTrainer(NonFinitePolicy policy, double? clip = 1.0) => new(new TorchBackend(), new SupervisedMlpTask(28 * 28, 16, 10),
        new TrainerOptions(16, new AdamW(), new ConstantSchedule(1e-3), ClipNorm: clip, Seed: 1, NonFinite: policy));

    [Fact]
    public void Nan_loss_is_caught_at_the_step_it_appears_with_the_learning_rate_and_the_output()
    {
        using var trainer = NewTrainer(NonFinitePolicy.Stop);
        var e = Should.Throw<NonFiniteException>(() => trainer.Fit(new Poisoned(3, float.NaN), 8));
        (e.Step, e.Output, e.LearningRate).ShouldBe((3L, "loss", 1e-3));
        double.IsNaN(e.Value).ShouldBeTrue();
        e.Message.ShouldBe("Step 3 (learning rate 0.001): the loss became NaN.");
        trainer.Step.ShouldBe(3, "the bad step is not counted as taken");
    }

    [Fact]
    public void Infinite_gradient_norm_with_a_finite_loss_is_caught_and_named()
    {
        // Pixels of 1e20 keep the loss finite in f32 (~1e19) but the squared gradient norm overflows.
        using var trainer = NewTrainer(NonFinitePolicy.Stop);
        var e = Should.Throw<NonFiniteException>(() => trainer.Fit(new Poisoned(2, 1e20f), 8));
        (e.Step, e.Output).ShouldBe((2L, "grad_norm"));
        e.Message.ShouldContain("the global gradient norm (grad_norm) became +infinity");
    }

    [Fact]
    public void Nonfinite_stop_saves_nothing_new()
    {
        using var trainer = NewTrainer(NonFinitePolicy.Stop);
        var folder = new CheckpointFolder(dir, "mlp");
        var run = new CheckpointedRun(trainer, folder, new SaveSchedule(2, null));
        Should.Throw<NonFiniteException>(() => run.Run(new Poisoned(3, float.NaN), 8));
        folder.List().Select(c => c.Step).ShouldBe([2L]);
        var good = File.ReadAllBytes(folder.PathFor(2));
        // Saving now (the values hold NaN since step 3) is refused, so a good checkpoint is never overwritten.
        Should.Throw<InvalidOperationException>(() => trainer.SaveCheckpoint(folder.PathFor(2))).Message.ShouldContain("since step 3");
        File.ReadAllBytes(folder.PathFor(2)).ShouldBe(good);
    }

    [Fact]
    public void Nonfinite_skip_drops_the_update_and_counts_the_skipped_step()
    {
        using var trainer = NewTrainer(NonFinitePolicy.Skip);
        trainer.Fit(new Poisoned(-1, 0), 3);
        var before = trainer.PersistentValues();
        var results = new List<StepResult>();
        trainer.Fit(new Poisoned(3, float.NaN), 4, results.Add);
        results.ShouldHaveSingleItem().Skipped.ShouldBeTrue();
        trainer.SkippedSteps.ShouldBe(1);
        trainer.Step.ShouldBe(4, "the run goes on with the next batch");
        foreach (var (name, value) in before)
            trainer.Compiled.GetPersistent(name).AsBytes().ToArray().ShouldBe(value.AsBytes().ToArray(), name);
        trainer.Fit(new Poisoned(-1, 0), 6);
        trainer.SkippedSteps.ShouldBe(1);
        trainer.SaveCheckpoint(Path.Combine(dir, "after-skip.safetensors"));   // the values stayed good, so they save
    }

    [Fact]
    public void Nonfinite_rollback_reloads_the_last_good_checkpoint_and_halves_the_learning_rate()
    {
        using var trainer = NewTrainer(NonFinitePolicy.Rollback);
        var folder = new CheckpointFolder(dir, "mlp");
        var run = new CheckpointedRun(trainer, folder, new SaveSchedule(2, null));
        var rollbacks = new List<(long Step, string Path)>();
        run.RolledBack += (e, path) => rollbacks.Add((e.Step, path));
        var rates = new List<(long, double)>();
        run.Run(new Poisoned(5, float.NaN), 8, r => rates.Add((r.Step, r.LearningRate))).ShouldBe(RunOutcome.Completed);
        rollbacks.ShouldBe([(5L, folder.PathFor(4))]);
        rates.Select(r => r.Item1).ShouldBe([0L, 1, 2, 3, 4, 4, 5, 6, 7], "steps 4 and on are taken again");
        rates.Last().Item2.ShouldBe(5e-4);
        trainer.LearningRateScale.ShouldBe(0.5);
        // The scale is saved, so a resumed run keeps the halved learning rate.
        using var resumed = NewTrainer(NonFinitePolicy.Rollback);
        folder.LoadNewest(resumed)!.Value.Path.ShouldBe(folder.PathFor(8));
        resumed.LearningRateScale.ShouldBe(0.5);
    }

    [Fact]
    public void Rollback_without_a_checkpoint_saves_the_start_first()
    {
        using var trainer = NewTrainer(NonFinitePolicy.Rollback);
        var folder = new CheckpointFolder(dir, "mlp", keep: 5);
        new CheckpointedRun(trainer, folder, new SaveSchedule(null, null)).Run(new Poisoned(1, float.NaN), 3).ShouldBe(RunOutcome.Completed);
        folder.List().Select(c => c.Step).ShouldBe([0L, 3L]);
        trainer.LearningRateScale.ShouldBe(0.5);
    }

    [Fact]
    public void Values_that_are_not_finite_are_never_saved()
    {
        using var trainer = NewTrainer(NonFinitePolicy.Stop);
        var values = trainer.PersistentValues();
        var name = values.Keys.First(k => k.EndsWith("weight"));
        var bad = values[name];
        ((float[])bad.Data)[0] = float.PositiveInfinity;
        trainer.Compiled.SetPersistent(name, bad);
        var path = Path.Combine(dir, "bad.safetensors");
        Should.Throw<InvalidOperationException>(() => trainer.SaveCheckpoint(path)).Message.ShouldContain(name);
        File.Exists(path).ShouldBeFalse();
    }
}
