using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Methods;
using Dsl.Models.Training;

namespace Dsl.Tests.Methods;

/// <summary>The online linear probe trains beside SimCLR/Barlow Twins without touching their training.</summary>
public class OnlineProbeTests
{
    [Theory]
    [InlineData("simclr")]
    [InlineData("barlow")]
    public void Online_probe_leaves_the_model_training_unchanged(string method)
    {
        const int batch = 16;
        TwoViewTask Create(int classes) => method == "simclr"
            ? new SimClrTask(Backbone.Conv(1, 8), 1, 28, 8, 0.2) { OnlineProbeClasses = classes }
            : new BarlowTwinsTask(Backbone.Conv(1, 8), 1, 28, 16) { OnlineProbeClasses = classes };
        // A tight clipping norm, so clipping is active: the probe must not change the model's clip factor.
        var options = new TrainerOptions(batch, new AdamW(), new ConstantSchedule(1e-2), ClipNorm: 0.05, Seed: 3);
        using var withProbe = new Trainer(new TorchBackend(), Create(10), options);
        using var without = new Trainer(new TorchBackend(), Create(0), options);
        var probeInit = withProbe.ModelValues().Where(kv => kv.Key.StartsWith(TwoViewTask.ProbePrefix + ".")).ToDictionary();
        probeInit.Keys.ShouldBe(["online_probe.weight", "online_probe.bias"], ignoreOrder: true);

        var random = new Random(7);
        var shape = new Shape(batch, 1, 28, 28);
        for (int step = 0; step < 3; step++)
        {
            var views = new Dictionary<string, HostTensor>
            {
                ["view1"] = HostTensor.F32(shape, [.. Enumerable.Range(0, batch * 784).Select(_ => random.NextSingle())]),
                ["view2"] = HostTensor.F32(shape, [.. Enumerable.Range(0, batch * 784).Select(_ => random.NextSingle())]),
            };
            without.RunStep(views);
            var labelled = new Dictionary<string, HostTensor>(views) { [ClassificationTask.LabelsInput] = HostTensor.I64(new Shape(batch), [.. Enumerable.Range(0, batch).Select(i => (long)(i % 10))]) };
            var r = withProbe.RunStep(labelled);
            r.Metrics.Keys.ShouldContain("probe_accuracy");
            r.Metrics["probe_accuracy"].ShouldBeInRange(0, 1);
        }

        var a = withProbe.ModelValues();
        var b = without.ModelValues();
        foreach (var (name, value) in b.Where(kv => !kv.Key.StartsWith("optim")))
        {
            var x = value.ToDoubles();
            var y = a[name].ToDoubles();
            for (int i = 0; i < x.Length; i++) y[i].ShouldBe(x[i], 1e-6, $"{name}[{i}]");
        }
        // ...while the probe itself trained.
        a["online_probe.weight"].ToDoubles().ShouldNotBe(probeInit["online_probe.weight"].ToDoubles());
    }
}
