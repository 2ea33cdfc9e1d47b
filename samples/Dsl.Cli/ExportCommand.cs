using System.CommandLine;
using Dsl.Execution;
using Dsl.Models.Checkpoints;
using Dsl.Models.Methods;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// <c>export</c>: the backbone of a <c>train</c> checkpoint alone, as safetensors under the names
/// timm and torchvision use (MAE: timm's VisionTransformer; ResNets: torchvision's resnet18/34
/// without <c>fc</c>, with <c>num_batches_tracked</c> added so <c>load_state_dict</c> finds every
/// buffer). Heads, decoder and optimizer state are left out.
/// </summary>
static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = CliCheckpoint.PathOption();
        var allowNonFinite = CliCheckpoint.AllowNonFiniteOption();
        var output = new Option<string?>("--out") { Description = "File to write (default: <checkpoint>.backbone.safetensors).", HelpName = "FILE" };
        var command = new Command("export", "Writes the backbone of a 'train' checkpoint as safetensors with timm (ViT) / torchvision (ResNet) parameter names, " +
            "without projection heads, decoder or optimizer state.");
        command.Options.Add(checkpoint);
        command.Options.Add(output);
        command.Options.Add(allowNonFinite);
        command.SetAction(parse => CommandRunner.Guarded(() =>
        {
            string path = CliCheckpoint.Resolve(parse, checkpoint);
            return Run(path, parse.GetValue(output) ?? Path.ChangeExtension(path, null) + ".backbone.safetensors", parse.GetValue(allowNonFinite));
        }));
        return command;
    }

    /// <summary>The backbone's tensors under their exported names (<paramref name="checkpoint"/> holds them all: see <see cref="CliCheckpoint.RequireEncoder"/>).</summary>
    public static Dictionary<string, HostTensor> Backbone(PretrainingMethod method, int channels, int size, IReadOnlyDictionary<string, HostTensor> checkpoint, long steps)
    {
        // The encoder's own graph names exactly the tensors the backbone owns.
        var g = new Graph("export");
        method.Features(g, g.Input("x", new Shape(1, channels, size, size)));
        string prefix = Models.Methods.Backbone.Prefix + ".";
        var result = new Dictionary<string, HostTensor>();
        foreach (var name in g.Persistent.Select(p => p.Name!))
        {
            var value = checkpoint[name];
            string exported = name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;
            result[exported] = value;
            // torchvision's BatchNorm also keeps the count of training batches it has seen.
            if (exported.EndsWith(".running_mean", StringComparison.Ordinal))
                result[exported[..^"running_mean".Length] + "num_batches_tracked"] = HostTensor.I64(Shape.Scalar, [steps]);
        }
        return result;
    }

    static int Run(string path, string output, bool allowNonFinite)
    {
        var (tensors, metadata) = CliCheckpoint.Load(path, allowNonFinite);
        var settings = TrainSslSettings.FromCheckpointMetadata(path, metadata);
        var data = settings.LoadData();
        var method = settings.CreateMethod(data);
        CliCheckpoint.RequireEncoder(path, method, data.Train.Channels, data.Train.Height, tensors);
        long steps = metadata.TryGetValue("step", out var s) && long.TryParse(s, out var n) ? n : 0;
        var backbone = Backbone(method, data.Train.Channels, data.Train.Height, tensors, steps);
        string architecture = settings.Method == "mae" ? "timm VisionTransformer (models_mae encoder)" : settings.Backbone switch
        {
            "resnet18" => "torchvision resnet18 without fc",
            "resnet34" => "torchvision resnet34 without fc",
            "conv-bn" => "conv encoder (Keras SimCLR example) with BatchNorm",
            _ => "conv encoder (Keras SimCLR example)",
        };
        SafeTensors.Save(output, backbone, new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["architecture"] = architecture,
            ["method"] = settings.Method,
            ["source"] = Path.GetFileName(path),
            ["step"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        long parameters = backbone.Values.Where(t => t.DType != DType.Int64).Sum(t => t.Shape.Numel);
        AnsiConsole.MarkupLineInterpolated($"Wrote {output}: {backbone.Count} tensors ({parameters:N0} values), {architecture}.");
        return 0;
    }
}
