using System.CommandLine;
using Dsl.Backend.Torch;
using Dsl.Execution;
using Dsl.Models.Checkpoints;
using Dsl.Models.Methods;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// <c>reconstruct</c>: an MAE checkpoint's reconstructions of test images as a PNG grid, one row per
/// image: original, masked input, reconstruction, reconstruction with the visible patches pasted.
/// </summary>
static class ReconstructCommand
{
    public static Command Create()
    {
        var (checkpoint, allowNonFinite) = (CliCheckpoint.PathOption(), CliCheckpoint.AllowNonFiniteOption());
        var images = new Option<int>("--images") { Description = "Test images to show (one row each), from the start of the test set.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the masking noise.", DefaultValueFactory = _ => 0 };
        var output = new Option<string?>("--out") { Description = "PNG to write (default: reconstruct.png next to the checkpoint).", HelpName = "FILE" };
        var scale = new Option<int>("--scale") { Description = "Each pixel drawn as a scale x scale block.", DefaultValueFactory = _ => 4 };
        var (data, device) = (ProbeCommand.DataOption(), ProbeCommand.DeviceOption());
        var command = new Command("reconstruct", "PNG grid of an MAE checkpoint's reconstructions of test images: original / masked / reconstruction / reconstruction with visible patches, one row per image.");
        foreach (var o in new Option[] { checkpoint, images, seed, output, scale, data, device, allowNonFinite }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            string path = CliCheckpoint.Resolve(parse, checkpoint);
            string png = parse.GetValue(output) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "reconstruct.png");
            return Run(path, parse.GetValue(allowNonFinite), parse.GetValue(data), parse.GetValue(device)!, parse.GetValue(images), parse.GetValue(seed), parse.GetValue(scale), png);
        }));
        return command;
    }

    static int Run(string path, bool allowNonFinite, string? dataPath, string device, int count, int seed, int scale, string png)
    {
        if (count <= 0) throw new CliException($"--images must be positive, got {count}.");
        if (scale <= 0) throw new CliException($"--scale must be positive, got {scale}.");
        var (tensors, metadata) = CliCheckpoint.Load(path, allowNonFinite);
        var settings = TrainSslSettings.FromCheckpointMetadata(path, metadata);
        if (settings.Method != "mae")
            throw new CliException($"reconstruct needs an MAE checkpoint ('train --method mae'); {path} holds a {settings.Method} model, which has no decoder.");
        var data = settings.LoadData(dataPath);
        var config = ((MaeMethod)settings.CreateMethod(data)).Config;
        count = Math.Min(count, data.Test.Count);
        int c = config.Channels, side = config.ImageSize, patches = (side / config.PatchSize) * (side / config.PatchSize);

        var g = new Graph("reconstruct");
        var x = g.Input("x", new Shape(count, c, side, side));
        var noise = g.Input("noise", new Shape(count, patches));
        var r = MaeReconstruction.Build(g, config, x, noise);
        g.Output("masked", r.Masked);
        g.Output("reconstruction", r.Reconstruction);
        g.Output("pasted", r.Pasted);
        using var compiled = CliBackend.Create(device).Compile(g);
        CheckpointFit.Require(path, g, tensors, "an MAE model with the settings in its metadata (a complete checkpoint of 'train --method mae')");
        foreach (var p in g.Persistent) compiled.SetPersistent(p.Name!, tensors[p.Name!]);
        var random = new Random(seed);
        var noiseValues = new float[count * patches];
        for (int i = 0; i < noiseValues.Length; i++) noiseValues[i] = random.NextSingle();
        var pixels = data.Test.Pixels.AsSpan(0, count * data.Test.ImageSize).ToArray();
        var outputs = compiled.Run(new Dictionary<string, HostTensor>
        {
            ["x"] = HostTensor.F32(x.Shape, pixels),
            ["noise"] = HostTensor.F32(noise.Shape, noiseValues),
        });

        var grid = new ImageGrid(count, 4, side, side, scale);
        int size = c * side * side;
        string[] columns = ["masked", "reconstruction", "pasted"];
        for (int i = 0; i < count; i++)
        {
            grid.Set(i, 0, pixels.AsSpan(i * size, size), c);
            for (int k = 0; k < columns.Length; k++)
                grid.Set(i, k + 1, ((float[])outputs[columns[k]].Data).AsSpan(i * size, size), c);
        }
        grid.Save(png);
        AnsiConsole.MarkupLineInterpolated($"Wrote {png}: {count} test images x (original, masked {config.MaskRatio:P0}, reconstruction, reconstruction + visible patches).");
        return 0;
    }
}
