using Dsl.Backend.Torch;
using Dsl.Models.Data;
using Dsl.Models.Evaluation;
using Dsl.Models.Training;

namespace Dsl.Tests.Evaluation;

/// <summary>The standard probe's head: an affine-free batch norm (statistics only) before a linear layer initialised with std 0.01.</summary>
public class ProbeTaskTests
{
    [Fact]
    public void Only_the_head_trains_the_norm_stays_affine_free_and_tracks_the_feature_statistics()
    {
        const int Dim = 6, N = 64;
        var random = new Random(2);
        var labels = Enumerable.Range(0, N).Select(i => i % 3).ToArray();
        // Features centred at 5 with spread 2: the running mean must move from 0 towards 5.
        var rows = Enumerable.Range(0, N * Dim).Select(i => 5 + 2 * (random.NextSingle() - 0.5f) + labels[i / Dim]).ToArray();
        var task = new ProbeTask(Dim, 3, normalize: true, headStd: 0.01);
        using var trainer = new Trainer(new TorchBackend(), task, new TrainerOptions(16, new Sgd(Momentum: 0.9), new ConstantSchedule(0.1), Seed: 1));
        var initial = trainer.ModelValues();
        initial["head.weight"].ToDoubles().Select(Math.Abs).Max().ShouldBeLessThanOrEqualTo(0.02 + 1e-9);   // truncated at 2 std
        initial["head.weight"].ToDoubles().Select(Math.Abs).Average().ShouldBeInRange(0.003, 0.012);

        trainer.Fit(new ShuffledBatches(new ImageDataset(rows, N, 1, 1, Dim, labels), 16, seed: 1), 20);

        var values = trainer.ModelValues();
        values["norm.weight"].ToDoubles().ShouldAllBe(v => v == 1);
        values["norm.bias"].ToDoubles().ShouldAllBe(v => v == 0);
        values["norm.running_mean"].ToDoubles().ShouldAllBe(v => v > 4 && v < 7);
        values["head.weight"].ToDoubles().ShouldNotBe(initial["head.weight"].ToDoubles());
    }
}
