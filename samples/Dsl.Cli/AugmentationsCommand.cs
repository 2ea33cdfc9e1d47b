using System.CommandLine;
using Dsl.Models.Data.Augment;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// <c>augmentations</c>: a PNG grid of the views a method trains on (as the Keras SimCLR example's
/// visualize_augmentations): one row per training image, the original first, then its augmented
/// views drawn exactly as the training loader draws them (same seeds, per image and view).
/// </summary>
static class AugmentationsCommand
{
    public static Command Create()
    {
        var method = new Option<string>("--method") { Description = "Whose view pipelines to draw: simclr, barlow (alternating its two pipelines) or mae.", DefaultValueFactory = _ => "simclr" };
        method.AcceptOnlyFromAmong("simclr", "barlow", "mae");
        var images = new Option<int>("--images") { Description = "Training images (rows), from the start of the training set.", DefaultValueFactory = _ => 6 };
        var views = new Option<int>("--views") { Description = "Augmented views per image (columns after the original).", DefaultValueFactory = _ => 6 };
        var seed = new Option<int>("--seed") { Description = "Augmentation seed (as train --seed: the views of the first epoch).", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "PNG to write.", DefaultValueFactory = _ => Path.Combine("runs", "augmentations.png"), HelpName = "FILE" };
        var cropMinScale = new Option<double>("--crop-min-scale") { Description = "SimCLR/Barlow Twins: smallest area fraction of RandomResizedCrop (as train).", DefaultValueFactory = _ => 0.08 };
        var scale = new Option<int>("--scale") { Description = "Each pixel drawn as a scale x scale block.", DefaultValueFactory = _ => 3 };
        var (dataset, imageSize, data) = (CliData.DatasetOption(), CliData.ImageSizeOption(), ProbeCommand.DataOption());
        var command = new Command("augmentations", "PNG grid of augmented training views of a few images, as the training loader draws them for a method (one row per image: original, then views).");
        foreach (var o in new Option[] { method, images, views, seed, output, scale, cropMinScale, dataset, imageSize, data }) command.Options.Add(o);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            var settings = new TrainSslSettings(parse.GetValue(method)!, 0, 0, 0, 64, 0.2, parse.GetValue(seed), parse.GetValue(data), "cpu", null, "", null, 0,
                Dataset: parse.GetValue(dataset)!, ImageSize: parse.GetValue(imageSize), CropMinScale: parse.GetValue(cropMinScale));
            return Run(settings, parse.GetValue(images), parse.GetValue(views), parse.GetValue(scale), parse.GetValue(output)!);
        }));
        return command;
    }

    static int Run(TrainSslSettings settings, int count, int views, int scale, string png)
    {
        if (count <= 0 || views <= 0 || scale <= 0) throw new CliException($"--images, --views and --scale must be positive (got {count}, {views}, {scale}).");
        var data = settings.LoadData();
        var method = settings.CreateMethod(data);
        var train = data.Pretrain;
        count = Math.Min(count, train.Count);
        var grid = new ImageGrid(count, views + 1, train.Height, train.Width, scale);
        for (int i = 0; i < count; i++)
        {
            grid.Set(i, 0, train.Image(i), train.Channels);
            for (int v = 0; v < views; v++)
            {
                // The loader's draw for sample i, view v of epoch 0; views beyond the method's own reuse its pipelines with new draws.
                var pipeline = method.Views[v % method.Views.Count];
                var image = pipeline.Apply(train.Image(i), train.Channels, train.Height, train.Width, new SampleRandom(settings.Seed, 0, i, v));
                if (image.Height != train.Height || image.Width != train.Width)
                    throw new CliException($"The {method.Name} pipeline makes {image.Height}x{image.Width} views of {train.Height}x{train.Width} images; the grid needs equal sizes.");
                grid.Set(i, v + 1, image.Data, image.Channels);
            }
        }
        grid.Save(png);
        AnsiConsole.MarkupLineInterpolated($"Wrote {png}: {count} {data.Title} images x (original + {views} {method.Title} views).");
        return 0;
    }
}
