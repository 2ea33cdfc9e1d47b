using Dsl.Models.Checkpoints;
using StbImageSharp;

namespace Dsl.Tests.Cli;

/// <summary>
/// The command line end to end, as a user runs it (a child process of the built dsl-cli): tiny
/// pretraining runs, the commands that read their checkpoints, and the errors bad input gets.
/// </summary>
public class CliCommandTests
{
    static readonly string[] TinyMae = ["train", "--method", "mae", "--limit", "128", "--epochs", "1", "--batch-size", "64", "--probe-images", "0"];

    [Fact]
    public void Mae_train_then_reconstruct_and_export()
    {
        using var dir = new CliProcess.TempFolder();
        var train = CliProcess.Run([.. TinyMae, "--out", dir.Path]);
        train.ExitCode.ShouldBe(0, train.ToString());
        File.Exists(dir["mae-00000002.safetensors"]).ShouldBeTrue("the checkpoint after the last step, named by it");
        File.ReadAllLines(dir["mae_loss.csv"]).Length.ShouldBe(1 + 2, "header + one row per step (128 images / 64)");
        Directory.EnumerateFiles(dir["tensorboard"], "events.out.tfevents.*", SearchOption.AllDirectories).ShouldNotBeEmpty();

        var reconstruct = CliProcess.Run(["reconstruct", "--checkpoint", dir.Path, "--images", "3", "--scale", "2", "--out", dir["r.png"]]);
        reconstruct.ExitCode.ShouldBe(0, reconstruct.ToString());
        var png = ImageResult.FromMemory(File.ReadAllBytes(dir["r.png"]), ColorComponents.RedGreenBlue);
        // 4 columns (original, masked, reconstruction, pasted) and 3 rows of 28·2-pixel cells with 2-pixel gaps.
        (png.Width, png.Height).ShouldBe((4 * (56 + 2) + 2, 3 * (56 + 2) + 2));
        // The masked column shows grey (0.5) patches where the original has other values.
        Cell(png, 0, 1).Count(v => v is 127 or 128).ShouldBeGreaterThan(Cell(png, 0, 0).Count(v => v is 127 or 128) + 56 * 56 / 2);

        var export = CliProcess.Run(["export", "--checkpoint", dir.Path, "--out", dir["vit.safetensors"]]);
        export.ExitCode.ShouldBe(0, export.ToString());
        var (tensors, metadata) = SafeTensors.Load(dir["vit.safetensors"]);
        // timm's VisionTransformer names; MAE's decoder, mask token and the optimizer state are left out.
        tensors.Keys.ShouldContain("cls_token");
        tensors.Keys.ShouldContain("patch_embed.proj.weight");
        tensors.Keys.ShouldContain("blocks.5.attn.qkv.weight");
        tensors.Keys.ShouldContain("norm.bias");
        tensors.Keys.ShouldNotContain(k => k.StartsWith("decoder") || k == "mask_token" || k.StartsWith("optim"));
        metadata["format"].ShouldBe("pt");
    }

    [Fact]
    public void Same_seed_gives_the_same_checkpoint_in_separate_processes()
    {
        using var dir = new CliProcess.TempFolder();
        var first = CliProcess.Run([.. TinyMae, "--out", dir["a"]]);
        var second = CliProcess.Run([.. TinyMae, "--out", dir["b"]]);
        first.ExitCode.ShouldBe(0, first.ToString());
        second.ExitCode.ShouldBe(0, second.ToString());
        var a = SafeTensors.Load(dir["a/mae-00000002.safetensors"]).Tensors;
        var b = SafeTensors.Load(dir["b/mae-00000002.safetensors"]).Tensors;
        b.Keys.Order().ShouldBe(a.Keys.Order());
        foreach (var (name, value) in a)
            ((float[])b[name].Data).ShouldBe((float[])value.Data, name);
        File.ReadAllText(dir["b/mae_loss.csv"]).ShouldBe(File.ReadAllText(dir["a/mae_loss.csv"]));
    }

    [Fact]
    public void Augmentations_draws_one_row_per_image_and_is_deterministic()
    {
        using var dir = new CliProcess.TempFolder();
        foreach (var name in new[] { "a.png", "b.png" })
        {
            var run = CliProcess.Run(["augmentations", "--method", "barlow", "--images", "2", "--views", "3", "--scale", "1", "--seed", "5", "--out", dir[name]]);
            run.ExitCode.ShouldBe(0, run.ToString());
        }
        var png = ImageResult.FromMemory(File.ReadAllBytes(dir["a.png"]), ColorComponents.RedGreenBlue);
        (png.Width, png.Height).ShouldBe((4 * (28 + 2) + 2, 2 * (28 + 2) + 2));
        File.ReadAllBytes(dir["b.png"]).ShouldBe(File.ReadAllBytes(dir["a.png"]));
        // Views differ from the original (crops, flips, colour).
        Cell(png, 0, 1).ShouldNotBe(Cell(png, 0, 0));
    }

    [Fact]
    public void Projector_sets_the_width_of_the_barlow_twins_head_and_is_stored_with_the_run()
    {
        using var dir = new CliProcess.TempFolder();
        var train = CliProcess.Run(["train", "--method", "barlow", "--width", "8", "--projector", "24", "--limit", "64", "--epochs", "1", "--batch-size", "32", "--probe-images", "0", "--out", dir.Path]);
        train.ExitCode.ShouldBe(0, train.ToString());
        var checkpoint = dir["barlow-00000002.safetensors"];
        var (tensors, _) = SafeTensors.Load(checkpoint);
        var head = tensors.Where(t => t.Key.EndsWith("fc3.weight") && !t.Key.StartsWith("optim")).ShouldHaveSingleItem();
        head.Value.Shape.ShouldBe(new Shape(24, 24), "the projector's last layer is --projector wide (not 4 x --width = 32)");

        var probe = CliProcess.Run(["probe", "--checkpoint", checkpoint, "--probe-images", "64"]);
        probe.ExitCode.ShouldBe(0, probe.ToString());
        probe.Output.ShouldContain("projector 24", customMessage: "probe rebuilds the model from the settings stored in the checkpoint");
    }

    [Fact]
    public void Reconstruct_refuses_a_checkpoint_without_a_decoder()
    {
        using var dir = new CliProcess.TempFolder();
        var train = CliProcess.Run(["train", "--method", "simclr", "--width", "8", "--limit", "64", "--epochs", "1", "--batch-size", "32", "--probe-images", "0", "--out", dir.Path]);
        train.ExitCode.ShouldBe(0, train.ToString());
        var run = CliProcess.Run(["reconstruct", "--checkpoint", dir["simclr-00000002.safetensors"]]);
        run.ExitCode.ShouldNotBe(0);
        run.Error.ShouldContain("needs an MAE checkpoint");
        File.Exists(dir["reconstruct.png"]).ShouldBeFalse();

        var export = CliProcess.Run(["export", "--checkpoint", dir["simclr-00000002.safetensors"], "--out", dir["conv.safetensors"]]);
        export.ExitCode.ShouldBe(0, export.ToString());
        var names = SafeTensors.Load(dir["conv.safetensors"]).Tensors.Keys;
        names.ShouldNotBeEmpty();
        names.ShouldNotContain(k => k.StartsWith("encoder.") || k.StartsWith("projector") || k.StartsWith("optim"));
    }

    [Theory]
    [InlineData("cifar10", "needs --data PATH")]
    [InlineData("folder", "needs --data PATH")]
    public void Datasets_other_than_the_embedded_one_ask_for_their_folder(string dataset, string message)
    {
        var run = CliProcess.Run(["train", "--method", "simclr", "--dataset", dataset]);
        run.ExitCode.ShouldBe(2);
        run.Error.ShouldContain(message);
    }

    [Fact]
    public void A_missing_data_folder_is_named_with_the_fix()
    {
        using var dir = new CliProcess.TempFolder();
        var run = CliProcess.Run(["train", "--method", "simclr", "--dataset", "cifar10", "--data", dir["nowhere"]]);
        run.ExitCode.ShouldNotBe(0);
        run.Error.ShouldContain(dir["nowhere"]);
        run.Error.ShouldContain("cifar-10");
    }

    [Fact]
    public void Directml_without_a_directx12_driver_fails_at_once_naming_the_fix()
    {
        using var dir = new CliProcess.TempFolder();
        var run = CliProcess.Run(["train", "--method", "simclr", "--device", "directml", "--out", dir.Path]);
        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain("--device directml");
        run.Error.ShouldContain("--device cpu");
        // It stops before reading data or writing anything.
        Directory.EnumerateFileSystemEntries(dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Every_command_has_help()
    {
        foreach (var command in new[] { "train", "train-mlp", "probe", "knn", "supervised", "finetune", "reconstruct", "augmentations", "plot", "export", "ablate", "charts" })
        {
            var run = CliProcess.Run([command, "--help"]);
            run.ExitCode.ShouldBe(0, run.ToString());
            run.Output.ShouldContain("Usage:");
            run.Output.ShouldContain(command);
        }
    }

    /// <summary>The RGB bytes of one grid cell (square cells with 2-pixel gaps).</summary>
    static byte[] Cell(ImageResult png, int row, int column, int columns = 4)
    {
        int side = (png.Width - 2) / columns - 2;
        var cell = new List<byte>();
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                int px = 2 + column * (side + 2) + x, py = 2 + row * (side + 2) + y;
                for (int c = 0; c < 3; c++) cell.Add(png.Data[(py * png.Width + px) * 3 + c]);
            }
        return [.. cell];
    }
}
