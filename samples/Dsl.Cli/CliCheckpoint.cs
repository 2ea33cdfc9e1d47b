using System.CommandLine;
using Dsl.Execution;
using Dsl.Models.Checkpoints;
using Dsl.Models.Methods;

namespace Dsl.Cli;

/// <summary>
/// What every command that reads a 'train' checkpoint shares: the <c>--checkpoint</c> and
/// <c>--allow-nonfinite</c> options, loading with the checks (a valid file, finite values) and the
/// check that the checkpoint holds the encoder its settings describe, listing every mismatch.
/// </summary>
static class CliCheckpoint
{
    /// <summary>The <c>--checkpoint</c> option: a file, a run folder, or <c>runs</c> (the latest run, the default).</summary>
    public static Option<string> PathOption() => new("--checkpoint")
    {
        Description = "A checkpoint written by 'train' (its metadata holds the model settings), or a run folder (its newest valid checkpoint). Default: runs, i.e. the run runs/latest names.",
        HelpName = "FILE|FOLDER",
        DefaultValueFactory = _ => RunFolder.Root,
    };

    /// <summary>The checkpoint file the <c>--checkpoint</c> value means (see <see cref="RunFolder.Checkpoint"/>).</summary>
    public static string Resolve(ParseResult parse, Option<string> option) => RunFolder.Checkpoint(parse.GetValue(option)!);

    /// <summary>The <c>--allow-nonfinite</c> option.</summary>
    public static Option<bool> AllowNonFiniteOption() =>
        new(NonFiniteValues.OverrideFlag) { Description = "Load the checkpoint even if it holds NaN or infinite values (by default it is refused, naming the first such tensor)." };

    /// <summary>The checkpoint's tensors and metadata, refused if any value is NaN or infinite unless <paramref name="allowNonFinite"/>.</summary>
    /// <exception cref="CheckpointException">The file is missing, malformed or holds non-finite values.</exception>
    public static (Dictionary<string, HostTensor> Tensors, Dictionary<string, string> Metadata) Load(string path, bool allowNonFinite)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        NonFiniteValues.Require(path, tensors, allowNonFinite);
        return (tensors, metadata);
    }

    /// <summary>Throws unless <paramref name="tensors"/> hold every parameter and buffer of the method's encoder, with their shapes.</summary>
    /// <exception cref="CheckpointException">Lists every missing tensor and every one of another shape.</exception>
    public static void RequireEncoder(string path, PretrainingMethod method, int channels, int size, IReadOnlyDictionary<string, HostTensor> tensors)
    {
        var g = new Graph("encoder");
        method.Features(g, g.Input("x", new Shape(1, channels, size, size)));
        CheckpointFit.Require(path, g, tensors, $"this {method.Title} encoder ({method.Describe()})");
    }
}
