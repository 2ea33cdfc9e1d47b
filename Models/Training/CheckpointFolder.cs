using System.Globalization;
using System.Text.RegularExpressions;
using Dsl.Models.Checkpoints;

namespace Dsl.Models.Training;

/// <summary>
/// The checkpoints of one run in one folder, named by step (<c>STEM-00000500.safetensors</c>): saving keeps
/// the newest <see cref="Keep"/>, and resuming takes the newest that loads, falling back to older ones when
/// the newest is corrupt. Each file is written atomically (<see cref="SafeTensors.Save"/>), so a crash while
/// saving leaves at most a temporary file, which the next save removes.
/// </summary>
public sealed partial class CheckpointFolder
{
    /// <summary>A checkpoint folder for files named <paramref name="stem"/>-STEP.safetensors.</summary>
    /// <param name="folder">The run's folder.</param>
    /// <param name="stem">The file-name stem (the task's name).</param>
    /// <param name="keep">How many of the newest checkpoints to keep (at least 1).</param>
    public CheckpointFolder(string folder, string stem, int keep = 2)
    {
        if (keep < 1) throw new ArgumentOutOfRangeException(nameof(keep), keep, "Keep at least one checkpoint.");
        (Folder, Stem, Keep) = (folder, stem, keep);
    }

    /// <summary>The run's folder.</summary>
    public string Folder { get; }

    /// <summary>The file-name stem.</summary>
    public string Stem { get; }

    /// <summary>How many of the newest checkpoints saving keeps.</summary>
    public int Keep { get; }

    /// <summary>The file the checkpoint of <paramref name="step"/> is written to.</summary>
    public string PathFor(long step) => Path.Combine(Folder, $"{Stem}-{step.ToString("D8", CultureInfo.InvariantCulture)}.safetensors");

    /// <summary>This run's checkpoints, oldest first.</summary>
    public IReadOnlyList<(long Step, string Path)> List() => Find(Folder, Stem);

    /// <summary>The checkpoints in <paramref name="folder"/> (of any stem when <paramref name="stem"/> is null), oldest first.</summary>
    public static IReadOnlyList<(long Step, string Path)> Find(string folder, string? stem = null)
    {
        if (!Directory.Exists(folder)) return [];
        var found = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*.safetensors"))
        {
            var match = CheckpointName().Match(Path.GetFileName(path));
            if (match.Success && (stem is null || match.Groups["stem"].Value == stem))
                found.Add((long.Parse(match.Groups["step"].Value, CultureInfo.InvariantCulture), path));
        }
        return [.. found.OrderBy(f => f.Item1).ThenBy(f => f.Item2, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Saves <paramref name="trainer"/>'s checkpoint at its current step, then deletes all but the newest
    /// <see cref="Keep"/> and any temporary file an interrupted save left. Returns the file written.
    /// </summary>
    public string Save(Trainer trainer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var path = PathFor(trainer.Step);
        trainer.SaveCheckpoint(path, metadata);
        var all = List();
        foreach (var (_, old) in all.Take(Math.Max(0, all.Count - Keep)))
            if (old != path) File.Delete(old);
        RemoveTemporaryFiles();
        return path;
    }

    /// <summary>Deletes the temporary files of saves that never finished (a killed process leaves them).</summary>
    public void RemoveTemporaryFiles()
    {
        if (!Directory.Exists(Folder)) return;
        foreach (var temp in Directory.EnumerateFiles(Folder, $".{Stem}-*.tmp")) File.Delete(temp);
    }

    /// <summary>Deletes every checkpoint of this run (a run started over with --overwrite).</summary>
    public void RemoveAll()
    {
        foreach (var (_, path) in List()) File.Delete(path);
        RemoveTemporaryFiles();
    }

    /// <summary>
    /// Loads the newest checkpoint into <paramref name="trainer"/>; when it cannot be loaded (corrupt,
    /// truncated), the one before, and so on. Returns the file loaded and why each newer one was refused;
    /// null when no checkpoint loads (then the trainer is unchanged).
    /// </summary>
    public (string Path, IReadOnlyList<string> Refused)? LoadNewest(Trainer trainer, bool allowNonFinite = false) =>
        FirstThatLoads(List().Reverse().Select(c => c.Path), path => trainer.LoadCheckpoint(path, allowNonFinite), Folder, "holds no checkpoint that loads");

    /// <summary>
    /// The newest checkpoint of <paramref name="folder"/> (any stem) that reads as a valid safetensors file, with why
    /// each newer one was refused; null when the folder holds none.
    /// </summary>
    public static (string Path, IReadOnlyList<string> Refused)? NewestReadable(string folder) =>
        FirstThatLoads(Find(folder).Reverse().Select(c => c.Path), path => SafeTensors.Load(path), folder, "holds no readable checkpoint");

    /// <summary>The first of <paramref name="newestFirst"/> that <paramref name="load"/> accepts, with why each one before it was refused.</summary>
    static (string Path, IReadOnlyList<string> Refused)? FirstThatLoads(IEnumerable<string> newestFirst, Action<string> load, string folder, string noneLoads)
    {
        var refused = new List<string>();
        foreach (var path in newestFirst)
        {
            try
            {
                load(path);
                return (path, refused);
            }
            catch (Exception e) when (e is CheckpointException or IOException)
            {
                refused.Add(e.Message);
            }
        }
        return refused.Count == 0 ? null : throw new CheckpointException(folder, $"{noneLoads}: {string.Join(" ", refused)}");
    }

    [GeneratedRegex(@"^(?<stem>.+)-(?<step>\d{8,})\.safetensors$")]
    private static partial Regex CheckpointName();
}
