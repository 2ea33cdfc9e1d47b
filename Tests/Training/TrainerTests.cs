using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models;
using Dsl.Models.Checkpoints;
using Dsl.Models.Data;
using Dsl.Models.Tasks;
using Dsl.Models.Training;

namespace Dsl.Tests.Training;

/// <summary>The shared loop: exact resume from checkpoints, clear errors for mismatched ones, learning.</summary>
public sealed class TrainerTests : IDisposable
{
    static readonly Lazy<FashionMnist> Data = new(() => FashionMnist.Load());
    readonly string dir = Directory.CreateTempSubdirectory("trainer").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static TrainerOptions Options(Optimizer? optimizer = null) =>
        new(32, optimizer ?? new AdamW { DecayFilter = Optimizer.ExcludeBiasAndNorm }, new WarmupCosineSchedule(2e-3, 3, 12), ClipNorm: 1.0, Seed: 5);

    static Trainer NewTrainer(Optimizer? optimizer = null) => new(new TorchBackend(), new SupervisedMlpTask(28 * 28, 32, 10), Options(optimizer));

    static IBatchSource Source() => new ShuffledBatches(Data.Value.Train, 32, seed: 5, limit: 160);

    [Theory]
    [InlineData("adamw")]
    [InlineData("lars")]
    [InlineData("lamb")]
    [InlineData("sgd")]
    public void Resuming_from_a_checkpoint_equals_training_straight_through(string optimizer)
    {
        Optimizer Make() => optimizer switch
        {
            "lars" => new Lars(WeightDecay: 1e-4) { DecayFilter = Optimizer.ExcludeBiasAndNorm },
            "lamb" => new Lamb { DecayFilter = Optimizer.ExcludeBiasAndNorm },
            "sgd" => new Sgd(WeightDecay: 1e-4, Nesterov: true),
            _ => new AdamW(),
        };
        using var straight = NewTrainer(Make());
        straight.Fit(Source(), 12);

        var path = Path.Combine(dir, "ckpt.safetensors");
        using (var first = NewTrainer(Make()))
        {
            first.Fit(Source(), 5);   // crosses no epoch boundary yet; the resume crosses one (5 steps/epoch)
            first.SaveCheckpoint(path);
        }
        using var resumed = NewTrainer(Make());
        resumed.LoadCheckpoint(path);
        resumed.Step.ShouldBe(5);
        resumed.Fit(Source(), 12);

        // Bit for bit: parameters, buffers and the flat optimizer state.
        foreach (var p in straight.StepGraph.Persistent)
            resumed.Compiled.GetPersistent(p.Name!).ToDoubles().ShouldBe(straight.Compiled.GetPersistent(p.Name!).ToDoubles(), p.Name);
    }

    [Fact]
    public void Checkpoint_with_per_parameter_optimizer_state_is_refused_as_the_old_layout()
    {
        var path = Path.Combine(dir, "old.safetensors");
        using var adam = NewTrainer();
        adam.SaveCheckpoint(path);
        // The layout before the flat state: "optim.fc1.weight.exp_avg", … instead of "optim.exp_avg".
        var (tensors, meta) = SafeTensors.Load(path);
        var old = tensors.Where(kv => !kv.Key.StartsWith("optim.exp_avg", StringComparison.Ordinal)).ToDictionary();
        foreach (var p in adam.StepGraph.Parameters)
        {
            old[$"optim.{p.Name}.exp_avg"] = HostTensor.Filled(p.Shape, p.DType, 0);
            old[$"optim.{p.Name}.exp_avg_sq"] = HostTensor.Filled(p.Shape, p.DType, 0);
        }
        SafeTensors.Save(path, old, meta);

        var message = Should.Throw<CheckpointException>(() => adam.LoadCheckpoint(path)).Message;
        message.ShouldMatch(@"optimizer state per parameter \(e\.g\. 'optim\.fc\d\.(weight|bias)\.exp_avg(_sq)?'\)");
        message.ShouldContain("one flat buffer per kind (e.g. 'optim.exp_avg')");
        message.ShouldContain("cannot resume");
    }

    [Fact]
    public void Checkpoint_of_another_optimizer_is_refused_and_changes_nothing()
    {
        var path = Path.Combine(dir, "sgd.safetensors");
        using (var sgd = NewTrainer(new Sgd())) sgd.SaveCheckpoint(path);
        using var adam = NewTrainer();
        var before = adam.Compiled.GetPersistent("fc1.weight").ToDoubles();
        var message = Should.Throw<CheckpointException>(() => adam.LoadCheckpoint(path)).Message;
        message.ShouldContain("does not fit this run's model and optimizer");
        message.ShouldContain("optim.exp_avg,", Case.Sensitive, "every missing value is listed");
        message.ShouldContain("optim.exp_avg_sq", Case.Sensitive, "every missing value is listed");
        adam.Compiled.GetPersistent("fc1.weight").ToDoubles().ShouldBe(before);
        adam.Step.ShouldBe(0);
    }

    [Fact]
    public void Training_lowers_the_loss_and_reports_metrics()
    {
        using var trainer = NewTrainer();
        var results = new List<StepResult>();
        trainer.Fit(Source(), 12, results.Add);
        results.Select(r => r.Step).ShouldBe(Enumerable.Range(0, 12).Select(i => (long)i));
        results.Take(3).Average(r => r.Loss).ShouldBeGreaterThan(results.TakeLast(3).Average(r => r.Loss));
        results.ShouldAllBe(r => r.Metrics.ContainsKey("accuracy") && r.Metrics.ContainsKey("grad_norm"));
        results[0].LearningRate.ShouldBe(2e-3 / 3, 1e-12);
    }
}
