using System.Globalization;
using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// Where runs live: each <c>train</c> without <c>--out</c> gets its own folder <c>runs/METHOD-yyyyMMdd-HHmmss</c>, and
/// <c>runs/latest</c> (a one-line text file) names the newest, so no run overwrites another. Commands that read a
/// checkpoint accept a file, a run folder (its newest readable checkpoint) or <c>runs</c> (the latest run's).
/// </summary>
static class RunFolder
{
    /// <summary>The folder runs go to by default.</summary>
    public const string Root = "runs";

    /// <summary>The pointer file in <see cref="Root"/> naming the newest run's folder.</summary>
    public const string LatestPointer = "latest";

    /// <summary>A new, not yet existing folder for a run of <paramref name="method"/> started at <paramref name="now"/>.</summary>
    public static string NewFor(string method, DateTime now)
    {
        string stem = Path.Combine(Root, $"{method}-{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        string folder = stem;
        for (int i = 2; Directory.Exists(folder); i++) folder = $"{stem}-{i}";
        return folder;
    }

    /// <summary>Points <c>runs/latest</c> at <paramref name="folder"/> (written atomically).</summary>
    public static void MarkLatest(string folder)
    {
        Directory.CreateDirectory(Root);
        string pointer = Path.Combine(Root, LatestPointer), temp = pointer + ".tmp";
        File.WriteAllText(temp, Path.GetRelativePath(Root, folder) + "\n");
        File.Move(temp, pointer, overwrite: true);
    }

    /// <summary>The folder <c>runs/latest</c> names (or that <paramref name="root"/>'s pointer names), or null.</summary>
    public static string? Latest(string root = Root)
    {
        string pointer = Path.Combine(root, LatestPointer);
        if (!File.Exists(pointer)) return null;
        string name = File.ReadAllText(pointer).Trim();
        return name.Length == 0 ? null : Path.Combine(root, name);
    }

    /// <summary>
    /// The checkpoint file <paramref name="path"/> means: the file itself, the newest readable checkpoint of a run
    /// folder, or of the run a <c>latest</c> pointer in it names. Says so when it skipped a corrupt newer one.
    /// </summary>
    public static string Checkpoint(string path)
    {
        if (File.Exists(path)) return path;
        if (!Directory.Exists(path))
            throw new CliException($"No checkpoint file or run folder '{path}': pass a .safetensors file written by 'train', or its run folder.");
        string folder = Latest(path) ?? path;
        var newest = CheckpointFolder.NewestReadable(folder)
            ?? throw new CliException($"'{folder}' holds no checkpoint (*-STEP.safetensors): pass a run folder of 'train', or a checkpoint file.");
        foreach (var refused in newest.Refused) AnsiConsole.MarkupLineInterpolated($"[yellow]Skipped a corrupt checkpoint: {refused}[/]");
        return newest.Path;
    }
}
