using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Checkpoints;
using Dsl.Models.Data;
using Dsl.Models.Methods;
using Dsl.Models.Training;

namespace Dsl.Tests.Runs;

/// <summary>
/// The shared loop with its checkpoints (<see cref="CheckpointedRun"/>): periodic saves, rotation, stopping, and a
/// run cut in two and resumed from its folder that equals the uninterrupted run bit for bit, for a method with
/// augmentations (SimCLR) and one with random draws in the graph (MAE's masking).
/// </summary>
public sealed class CheckpointedRunTests : IDisposable
{
    static readonly Lazy<ImageDataset> Images = new(() => FashionMnist.Load().Train.Take(96));
    readonly string dir = Directory.CreateTempSubdirectory("checkpointed-run").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static PretrainingMethod Method(string name) => name switch
    {
        "simclr" => new SimClrMethod(Backbone.Conv(1, 8), 1, 28, 8, 0.2, onlineProbeClasses: 10),
        _ => new MaeMethod(MaeConfig.FashionMnist with { PatchSize = 7, EncoderDepth = 1, EncoderDim = 16, EncoderHeads = 2, DecoderDim = 8, DecoderDepth = 1, DecoderHeads = 2 }),
    };

    sealed record Setup(Trainer Trainer, IBatchSource Source) : IDisposable
    {
        public void Dispose() => Trainer.Dispose();
    }

    static Setup New(string name, NonFinitePolicy policy = NonFinitePolicy.Stop)
    {
        var method = Method(name);
        var loader = new BatchLoader(Images.Value, new BatchLoaderOptions { BatchSize = 16, Seed = 3, DropLast = true, Workers = 2 }, [.. method.Views]);
        var trainer = new Trainer(new TorchBackend(), method.Task, new TrainerOptions(16, new AdamW(WeightDecay: 1e-4),
            new WarmupCosineSchedule(2e-3, 2, 12), ClipNorm: 5.0, Seed: 7, NonFinite: policy));
        return new Setup(trainer, new AugmentedBatches(loader, labels: method.NeedsLabels));
    }

    static void ShouldEqualBitwise(Trainer actual, Trainer expected)
    {
        foreach (var p in expected.StepGraph.Persistent)
            actual.Compiled.GetPersistent(p.Name!).AsBytes().ToArray().ShouldBe(expected.Compiled.GetPersistent(p.Name!).AsBytes().ToArray(), p.Name);
    }

    [Theory]
    [InlineData("simclr")]
    [InlineData("mae")]
    public void Run_cut_in_two_and_resumed_from_its_folder_equals_the_uninterrupted_run_bit_for_bit(string name)
    {
        // 12 steps cross an epoch boundary (6 batches of 16 per epoch) after the cut at step 5.
        using var straight = New(name);
        var straightLosses = new List<double>();
        new CheckpointedRun(straight.Trainer, new CheckpointFolder(Path.Combine(dir, "straight"), name), new SaveSchedule(4, null))
            .Run(straight.Source, 12, r => straightLosses.Add(r.Loss)).ShouldBe(RunOutcome.Completed);

        var folder = Path.Combine(dir, "cut");
        var losses = new List<double>();
        using (var first = New(name))
        {
            using var stop = new CancellationTokenSource();
            var run = new CheckpointedRun(first.Trainer, new CheckpointFolder(folder, name), new SaveSchedule(4, null));
            run.Run(first.Source, 12, r =>
            {
                losses.Add(r.Loss);
                if (r.Step == 4) stop.Cancel();   // as Ctrl-C during step 4: the step finishes, then the run saves
            }, stop.Token).ShouldBe(RunOutcome.Interrupted);
            run.LastCheckpoint.ShouldBe(new CheckpointFolder(folder, name).PathFor(5));
        }
        using var resumed = New(name);
        var checkpoints = new CheckpointFolder(folder, name);
        checkpoints.LoadNewest(resumed.Trainer)!.Value.Path.ShouldBe(checkpoints.PathFor(5));
        resumed.Trainer.Step.ShouldBe(5);
        new CheckpointedRun(resumed.Trainer, checkpoints, new SaveSchedule(4, null)).Run(resumed.Source, 12, r => losses.Add(r.Loss)).ShouldBe(RunOutcome.Completed);

        losses.ShouldBe(straightLosses);   // the same batches, views and masks, step by step
        ShouldEqualBitwise(resumed.Trainer, straight.Trainer);
    }

    [Fact]
    public void Saves_every_n_steps_and_after_the_last_step_keeping_the_newest()
    {
        using var s = New("simclr");
        var folder = new CheckpointFolder(dir, "simclr", keep: 2);
        var saved = new List<string>();
        var run = new CheckpointedRun(s.Trainer, folder, new SaveSchedule(3, null));
        run.Saved += saved.Add;
        run.Run(s.Source, 7);
        saved.ShouldBe([folder.PathFor(3), folder.PathFor(6), folder.PathFor(7)]);
        folder.List().Select(c => c.Step).ShouldBe([6L, 7L], "--keep 2 deletes older ones");
    }

    [Fact]
    public void Save_every_duration_saves_when_the_time_has_passed()
    {
        using var s = New("simclr");
        var folder = new CheckpointFolder(dir, "simclr", keep: 10);
        new CheckpointedRun(s.Trainer, folder, new SaveSchedule(null, TimeSpan.Zero)).Run(s.Source, 3);
        folder.List().Select(c => c.Step).ShouldBe([1L, 2L, 3L]);
    }

    [Fact]
    public void Corrupt_newest_checkpoint_falls_back_to_the_one_before()
    {
        using (var s = New("simclr"))
            new CheckpointedRun(s.Trainer, new CheckpointFolder(dir, "simclr"), new SaveSchedule(2, null)).Run(s.Source, 4);
        var folder = new CheckpointFolder(dir, "simclr");
        // The newest file loses its second half, as a copy cut short would.
        var newest = folder.PathFor(4);
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);

        using var resumed = New("simclr");
        var (path, refused) = folder.LoadNewest(resumed.Trainer)!.Value;
        path.ShouldBe(folder.PathFor(2));
        resumed.Trainer.Step.ShouldBe(2);
        refused.ShouldHaveSingleItem().ShouldContain(newest);
    }

    [Fact]
    public void Resume_refuses_a_checkpoint_with_nonfinite_values_and_falls_back_to_the_one_before()
    {
        using (var s = New("simclr"))
            new CheckpointedRun(s.Trainer, new CheckpointFolder(dir, "simclr"), new SaveSchedule(2, null)).Run(s.Source, 4);
        var folder = new CheckpointFolder(dir, "simclr");
        var (tensors, metadata) = SafeTensors.Load(folder.PathFor(4));
        ((float[])tensors.First(t => t.Value.DType == DType.Float32).Value.Data)[0] = float.NaN;
        SafeTensors.Save(folder.PathFor(4), tensors, metadata);

        using var resumed = New("simclr");
        var (path, refused) = folder.LoadNewest(resumed.Trainer)!.Value;
        path.ShouldBe(folder.PathFor(2));
        refused.ShouldHaveSingleItem().ShouldContain("holds non-finite values");

        // Asked for, the diverged checkpoint loads.
        using var inspected = New("simclr");
        folder.LoadNewest(inspected.Trainer, allowNonFinite: true)!.Value.Path.ShouldBe(folder.PathFor(4));
        inspected.Trainer.Step.ShouldBe(4);
    }

    [Fact]
    public void Temporary_file_of_an_interrupted_save_is_removed_by_the_next_save()
    {
        Directory.CreateDirectory(dir);
        var leftover = Path.Combine(dir, ".simclr-00000002.safetensors.0123456789abcdef.tmp");
        File.WriteAllBytes(leftover, new byte[100]);
        using var s = New("simclr");
        new CheckpointedRun(s.Trainer, new CheckpointFolder(dir, "simclr"), new SaveSchedule(null, null)).Run(s.Source, 1);
        File.Exists(leftover).ShouldBeFalse();
    }

    [Theory]
    [InlineData("500", 500L, null)]
    [InlineData("90s", null, 90.0)]
    [InlineData("10m", null, 600.0)]
    [InlineData("1h", null, 3600.0)]
    public void Save_every_reads_steps_or_a_duration(string text, long? steps, double? seconds)
    {
        var schedule = SaveSchedule.Parse(text, stepsPerEpoch: 100);
        schedule.EverySteps.ShouldBe(steps);
        schedule.Every.ShouldBe(seconds is double s ? TimeSpan.FromSeconds(s) : null);
    }

    [Fact]
    public void Save_every_defaults_to_each_epoch_and_ten_minutes()
    {
        SaveSchedule.Parse(null, stepsPerEpoch: 468).ShouldBe(new SaveSchedule(468, TimeSpan.FromMinutes(10)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("10x")]
    [InlineData("m")]
    public void Save_every_that_is_neither_steps_nor_a_duration_is_refused_with_the_forms(string text)
    {
        Should.Throw<FormatException>(() => SaveSchedule.Parse(text, 10)).Message.ShouldContain("e.g. 500");
    }

    [Fact]
    public void Newest_readable_skips_a_file_that_is_not_a_checkpoint()
    {
        SafeTensors.Save(Path.Combine(dir, "mae-00000001.safetensors"), new Dictionary<string, HostTensor> { ["w"] = HostTensor.F32(new Shape(1), [1]) });
        File.WriteAllText(Path.Combine(dir, "mae-00000002.safetensors"), "not a checkpoint");
        var (path, refused) = CheckpointFolder.NewestReadable(dir)!.Value;
        Path.GetFileName(path).ShouldBe("mae-00000001.safetensors");
        refused.Count.ShouldBe(1);
    }
}
