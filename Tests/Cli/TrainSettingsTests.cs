namespace Dsl.Tests.Cli;

/// <summary>
/// Impossible settings of <c>train</c> are refused before any work (no training, nothing written to --out), as a
/// sentence that names the setting and the fix, never an exception type.
/// </summary>
public class TrainSettingsTests
{
    /// <summary>Runs train with <paramref name="args"/> and checks it stopped before working; returns stderr.</summary>
    static string Refused(params string[] args)
    {
        using var dir = new CliProcess.TempFolder();
        string[] batch = args.Contains("--batch-size") ? [] : ["--batch-size", "32"];
        var run = CliProcess.Run(["train", "--probe-images", "0", "--limit", "64", "--out", dir["run"], .. batch, .. args]);
        run.ExitCode.ShouldBeOneOf([1, 2], run.ToString());
        run.Error.ShouldStartWith("error: ");
        run.Error.ShouldNotMatch(@"\w+Exception|\(Parameter '", "a sentence, not an exception");
        run.Output.ShouldNotContain(" on Fashion-MNIST", customMessage: "no training started");
        (Directory.Exists(dir["run"]) ? Directory.EnumerateFileSystemEntries(dir["run"]) : []).ShouldBeEmpty("nothing written");
        return run.Error;
    }

    [Fact]
    public void Negative_epochs_are_refused() =>
        Refused("--epochs", "-1").ShouldContain("--epochs -1: a run needs at least one pass over the data; use a positive number");

    [Fact]
    public void Zero_epochs_are_refused() =>
        Refused("--epochs", "0").ShouldContain("--epochs 0: a run needs at least one pass");

    [Fact]
    public void Negative_learning_rate_is_refused() =>
        Refused("--lr", "-1").ShouldContain("--lr -1: the learning rate must be a positive number");

    [Fact]
    public void Zero_width_is_refused() =>
        Refused("--width", "0").ShouldContain("--width 0: the encoder needs at least one channel");

    [Fact]
    public void Zero_projector_width_is_refused() =>
        Refused("--method", "barlow", "--projector", "0").ShouldContain("--projector 0: the projection head needs at least one unit");

    [Fact]
    public void Zero_batch_size_is_refused_as_a_sentence() =>
        Refused("--batch-size", "0").ShouldContain("--batch-size 0: a step needs at least one image");

    [Fact]
    public void Batch_larger_than_the_data_is_refused() =>
        Refused("--batch-size", "128").ShouldContain("--batch-size 128 is larger than the 64 training images: lower --batch-size to at most 64 or raise --limit");

    [Fact]
    public void Barlow_twins_at_batch_size_one_is_refused_for_its_batchnorm() =>
        Refused("--method", "barlow", "--batch-size", "1").ShouldContain("--batch-size 1 with Barlow Twins (its projector uses BatchNorm)");

    [Fact]
    public void Resnet_backbone_at_batch_size_one_is_refused_for_its_batchnorm() =>
        Refused("--method", "simclr", "--backbone", "resnet18", "--batch-size", "1").ShouldContain("use --batch-size 2 or more");

    [Theory]
    [InlineData("1.5")]
    [InlineData("0")]
    public void Mask_ratio_outside_zero_to_one_is_refused(string ratio) =>
        Refused("--method", "mae", "--mask-ratio", ratio).ShouldContain($"--mask-ratio {ratio} is outside (0, 1)");

    [Fact]
    public void Patch_size_not_dividing_the_image_is_refused() =>
        Refused("--method", "mae", "--patch-size", "5").ShouldContain("--patch-size 5 does not cut 28x28 images into a grid of at least 2x2 whole patches: use a divisor of 28");

    [Fact]
    public void Unknown_method_is_refused_with_the_choices() =>
        Refused("--method", "byol").ShouldContain("Argument 'byol' not recognized. Must be one of: 'simclr' 'barlow' 'mae'");

    [Fact]
    public void Unknown_dataset_is_refused_with_the_choices() =>
        Refused("--dataset", "imagenet").ShouldContain("Argument 'imagenet' not recognized. Must be one of: 'fashion-mnist'");

    [Fact]
    public void Malformed_save_every_is_refused_with_the_forms() =>
        Refused("--save-every", "often").ShouldContain("--save-every often is neither a positive number of steps (e.g. 500) nor a duration (e.g. 90s, 10m, 1h)");

    [Fact]
    public void Keep_below_one_is_refused() =>
        Refused("--keep", "0").ShouldContain("--keep 0: keep at least the newest checkpoint");

    [Fact]
    public void Several_problems_are_reported_together()
    {
        var error = Refused("--epochs", "-1", "--lr", "-1");
        error.ShouldContain("--epochs -1");
        error.ShouldContain("--lr -1");
    }

    [Fact]
    public void Unwritable_out_is_refused_before_training()
    {
        // /proc/self cannot take new files, even for root (chmod would not stop root).
        var run = CliProcess.Run(["train", "--method", "simclr", "--limit", "64", "--probe-images", "0", "--out", "/proc/self"]);
        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldStartWith("error: --out /proc/self cannot be written (");
        run.Error.ShouldContain("choose a folder you can write to");
        run.Output.ShouldNotContain(" on Fashion-MNIST");
    }

    [Fact]
    public void Out_below_a_file_is_refused_before_training()
    {
        using var dir = new CliProcess.TempFolder();
        File.WriteAllText(dir["file"], "");
        var run = CliProcess.Run(["train", "--method", "simclr", "--limit", "64", "--probe-images", "0", "--out", dir["file/run"]]);
        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldContain($"--out {dir["file/run"]} cannot be written");
        run.Error.ShouldNotMatch(@"\w+Exception");
    }

    [Fact]
    public void Resume_without_a_checkpoint_in_out_says_to_start_without_it()
    {
        using var dir = new CliProcess.TempFolder();
        var run = CliProcess.Run(["train", "--method", "simclr", "--width", "8", "--limit", "64", "--batch-size", "32", "--probe-images", "0", "--out", dir.Path, "--resume"]);
        run.ExitCode.ShouldBe(2, run.ToString());
        run.Error.ShouldContain("holds no simclr checkpoint to resume from: start the run without --resume");
    }
}
