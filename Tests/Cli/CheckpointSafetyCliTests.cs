using Dsl.Execution;
using Dsl.Models.Checkpoints;

namespace Dsl.Tests.Cli;

/// <summary>A tiny SimCLR checkpoint trained once for the tests that damage copies of it.</summary>
public sealed class TrainedSimClr : IDisposable
{
    readonly CliProcess.TempFolder dir = new();

    public TrainedSimClr()
    {
        var train = CliProcess.Run(["train", "--method", "simclr", "--width", "8", "--limit", "64", "--epochs", "1", "--batch-size", "32", "--probe-images", "0", "--out", dir["run"]]);
        train.ExitCode.ShouldBe(0, train.ToString());
        // The newest checkpoint the run wrote, wherever its layout puts it.
        Path = Directory.GetFiles(dir["run"], "*.safetensors", SearchOption.AllDirectories).OrderBy(File.GetLastWriteTimeUtc).Last();
    }

    /// <summary>The checkpoint.</summary>
    public string Path { get; }

    /// <summary>A scratch file next to the run.</summary>
    public string this[string name] => dir[name];

    public void Dispose() => dir.Dispose();
}

/// <summary>
/// Commands that read a checkpoint refuse NaN/Inf weights (naming the tensor; --allow-nonfinite
/// overrides) and checkpoints of another model (listing every mismatch), and never alter the file.
/// </summary>
public sealed class CheckpointSafetyCliTests(TrainedSimClr trained) : IClassFixture<TrainedSimClr>
{
    static readonly string[] Readers = ["export", "probe", "knn", "reconstruct", "finetune"];

    /// <summary>A copy of the trained checkpoint with <paramref name="change"/> applied to its tensors.</summary>
    string Damaged(string name, Action<Dictionary<string, HostTensor>> change)
    {
        var (tensors, metadata) = SafeTensors.Load(trained.Path);
        change(tensors);
        SafeTensors.Save(trained[name], tensors, metadata);
        return trained[name];
    }

    static string FirstEncoderWeight(Dictionary<string, HostTensor> tensors) =>
        tensors.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal) && k.EndsWith(".weight", StringComparison.Ordinal)).Order(StringComparer.Ordinal).First();

    [Fact]
    public void Every_command_that_reads_a_checkpoint_refuses_nan_weights_and_leaves_the_file_intact()
    {
        string poisoned = "";
        var path = Damaged("nan.safetensors", t =>
        {
            poisoned = FirstEncoderWeight(t);
            ((float[])t[poisoned].Data)[1] = float.NaN;
        });
        var before = File.ReadAllBytes(path);
        foreach (var command in Readers)
        {
            var run = CliProcess.Run([command, "--checkpoint", path]);
            run.ExitCode.ShouldBe(1, $"{command}: {run}");
            run.Error.ShouldContain($"Checkpoint '{path}' holds non-finite values: tensor '{poisoned}' has NaN at index 1", Case.Sensitive, $"{command}: {run}");
            run.Error.ShouldContain("--allow-nonfinite");
            run.Error.ShouldNotContain("Exception");
        }
        File.ReadAllBytes(path).ShouldBe(before);
    }

    [Fact]
    public void Export_with_allow_nonfinite_passes_infinite_weights_through()
    {
        string poisoned = "";
        var path = Damaged("inf.safetensors", t =>
        {
            poisoned = FirstEncoderWeight(t);
            ((float[])t[poisoned].Data)[0] = float.NegativeInfinity;
        });
        var refused = CliProcess.Run(["export", "--checkpoint", path, "--out", trained["refused.safetensors"]]);
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Error.ShouldContain($"tensor '{poisoned}' has -Infinity at index 0");
        File.Exists(trained["refused.safetensors"]).ShouldBeFalse();

        var allowed = CliProcess.Run(["export", "--checkpoint", path, "--out", trained["allowed.safetensors"], "--allow-nonfinite"]);
        allowed.ExitCode.ShouldBe(0, allowed.ToString());
        var exported = SafeTensors.Load(trained["allowed.safetensors"]).Tensors;
        NonFiniteValues.Find(exported).ShouldHaveSingleItem().Value.ShouldBe(double.NegativeInfinity);
    }

    [Fact]
    public void Probe_of_a_checkpoint_from_another_model_lists_every_mismatch()
    {
        string[] renamed = [], reshaped = [];
        var path = Damaged("other.safetensors", t =>
        {
            var weights = t.Keys.Where(k => k.StartsWith("encoder.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
            renamed = weights[..2];
            foreach (var name in renamed)
            {
                t["other." + name] = t[name];
                t.Remove(name);
            }
            reshaped = [weights.First(k => !renamed.Contains(k) && t[k].Shape.Rank >= 2)];
            var w = t[reshaped[0]];
            t[reshaped[0]] = HostTensor.F32(new Shape((int)w.Shape.Numel), (float[])w.Data);
        });
        var run = CliProcess.Run(["probe", "--checkpoint", path, "--probe-images", "64", "--probe-epochs", "1"]);
        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain($"2 missing: {renamed[0]}, {renamed[1]}");
        run.Error.ShouldContain($"1 with another shape or dtype: {reshaped[0]} (checkpoint f32[");
    }
}
