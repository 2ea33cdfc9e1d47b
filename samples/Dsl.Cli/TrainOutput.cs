using Dsl.Models.Training;
using Spectre.Console;

namespace Dsl.Cli;

/// <summary>
/// The run folder of <c>train</c>: which folder, its lock, what an earlier run left there (refused unless
/// <c>--resume</c> or <c>--overwrite</c>), resuming from it, and the errors of saving into it.
/// </summary>
static class TrainOutput
{
    /// <summary>--out; else the folder --resume names (runs/latest for a bare --resume); else a new folder under runs/.</summary>
    public static string Folder(TrainSslSettings s)
    {
        if (s.Out is { } output) return output;
        if (s.Resume == TrainSslSettings.ResumeAuto)
            return RunFolder.Latest() ?? throw new CliException($"--resume without --out continues the run that {RunFolder.Root}/{RunFolder.LatestPointer} names, and there is none: pass --out RUN_FOLDER.");
        if (s.Resume is { } resume) return Directory.Exists(resume) ? resume : Path.GetDirectoryName(Path.GetFullPath(resume))!;
        return RunFolder.NewFor(s.Method, DateTime.Now);
    }

    /// <summary>
    /// Refuses a folder holding an earlier run's checkpoint (unless resuming or overwriting), then locks it; an
    /// unwritable folder is reported here, before any data is read. With --overwrite the earlier checkpoints go.
    /// </summary>
    public static RunLock Lock(string output, TrainSslSettings s)
    {
        var earlier = CheckpointFolder.Find(output);
        if (earlier.Count > 0 && s.Resume is null && !s.Overwrite)
            throw new CliException($"--out {output} already holds a checkpoint of an earlier run ({Path.GetFileName(earlier[^1].Path)}): pass --resume to continue it, --overwrite to start it over, or another --out (without --out each run gets its own folder).");
        RunLock runLock;
        try
        {
            runLock = RunLock.Acquire(output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--out {output} cannot be written ({e.Message}): choose a folder you can write to.");
        }
        if (runLock.TakenOverFrom is int stale)
            AnsiConsole.MarkupLineInterpolated($"[yellow]Took over the lock of process {stale}, which no longer runs.[/]");
        if (s.Overwrite)
        {
            foreach (var (_, path) in earlier) File.Delete(path);
            var events = Path.Combine(output, "tensorboard", $"{s.Method}_loss");
            if (Directory.Exists(events)) Directory.Delete(events, recursive: true);
        }
        return runLock;
    }

    /// <summary>--on-nonfinite by name.</summary>
    public static NonFinitePolicy Policy(string name) => name switch
    {
        "stop" => NonFinitePolicy.Stop,
        "skip" => NonFinitePolicy.Skip,
        "rollback" => NonFinitePolicy.Rollback,
        _ => throw new CliException($"--on-nonfinite {name}: use stop, skip or rollback."),
    };

    /// <summary>Loads what --resume names: a checkpoint file, or the newest valid checkpoint of the run folder.</summary>
    public static string? Resume(TrainSslSettings s, Trainer trainer, CheckpointFolder checkpoints)
    {
        if (s.Resume is null) return null;
        string from;
        if (s.Resume != TrainSslSettings.ResumeAuto && File.Exists(s.Resume))
        {
            trainer.LoadCheckpoint(s.Resume, s.AllowNonFinite);
            from = s.Resume;
        }
        else
        {
            var (path, refused) = checkpoints.LoadNewest(trainer, s.AllowNonFinite)
                ?? throw new CliException($"--resume: '{checkpoints.Folder}' holds no {checkpoints.Stem} checkpoint to resume from: start the run without --resume.");
            foreach (var reason in refused) AnsiConsole.MarkupLineInterpolated($"[yellow]Skipped a newer checkpoint that does not load: {reason} Resuming from the one before.[/]");
            from = path;
        }
        AnsiConsole.MarkupLineInterpolated($"[grey]Resumed from {from} at step {trainer.Step}.[/]");
        return from;
    }

    /// <summary>Runs the training loop, turning a non-finite step and a full disk into errors that say what was kept and what to do.</summary>
    public static RunOutcome Guard(TrainSslSettings s, CheckpointedRun run, Func<RunOutcome> train)
    {
        try
        {
            return train();
        }
        catch (NonFiniteException e)
        {
            string kept = run.LastCheckpoint is { } last ? $"the last checkpoint, {last}, is kept as it was" : "no checkpoint had been written yet";
            throw new CliException($"{e.Message} Nothing was saved after it ({kept}). Lower --lr (now {s.LearningRate:G3}), or pass --on-nonfinite skip (drop such steps) or --on-nonfinite rollback (reload the last checkpoint, halve the learning rate).", exitCode: 1);
        }
        catch (Exception e) when (IsDiskFull(e))
        {
            string kept = run.LastCheckpoint is { } last ? $"The previous checkpoint, {last}, is intact" : "No earlier checkpoint exists";
            throw new CliException($"The disk is full (or a file-size limit was reached) while saving a checkpoint into {run.Folder}. The partial file was removed. {kept}; free some space and resume with --resume.", exitCode: 1);
        }
    }

    /// <summary>
    /// ENOSPC / EFBIG on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows. .NET reports EFBIG (a file-size
    /// limit) from FileStream.Write as an ArgumentOutOfRangeException, "Specified file length was too large".
    /// </summary>
    static bool IsDiskFull(Exception e) => e switch
    {
        IOException io => io.HResult is 28 or 27 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
            || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase),
        ArgumentOutOfRangeException range => range.Message.Contains("file length was too large", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    /// <summary>The command line that continues this run: the same arguments with --out set to its folder and --resume.</summary>
    public static string ResumeCommand(IReadOnlyList<string> args, string output)
    {
        var kept = new List<string> { "dsl-cli" };
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] is "--overwrite") continue;
            if (args[i] is "--out" or "--resume")
            {
                if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) i++;
                continue;
            }
            kept.Add(args[i].Contains(' ') ? $"\"{args[i]}\"" : args[i]);
        }
        kept.AddRange(["--out", output.Contains(' ') ? $"\"{output}\"" : output, "--resume"]);
        return string.Join(' ', kept);
    }
}
