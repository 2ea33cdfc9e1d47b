using Dsl.Execution;
using Dsl.Models.Checkpoints;
using Dsl.Models.Training;

namespace Dsl.Tests.Cli;

/// <summary>
/// Runs survive interruption and faults while saving, through the real command line: Ctrl-C/SIGTERM saves and
/// resumes bit for bit, a SIGKILL in the middle of a save or a full disk loses no checkpoint, a folder is never
/// shared by two runs nor overwritten by a new one.
/// </summary>
public class RunSurvivalTests
{
    /// <summary>SimCLR (width 8) on 256 images: 16 steps per epoch of 16, two epochs.</summary>
    static string[] Tiny(string output, int epochs = 2, int width = 8) =>
        ["train", "--method", "simclr", "--width", width.ToString(), "--limit", "256", "--batch-size", "16", "--epochs", epochs.ToString(), "--probe-images", "0", "--out", output];

    static Dictionary<string, HostTensor> Tensors(string path) => SafeTensors.Load(path).Tensors;

    static void WaitFor(Func<bool> condition, CliProcess.Running run, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (run.Process.HasExited) throw new InvalidOperationException($"The run ended before {what}: {run.Wait()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No {what} within {seconds} s.");
            Thread.Sleep(5);
        }
    }

    static int CsvRows(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path).Length - 1 : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [Fact]
    public void Sigterm_saves_and_resume_auto_equals_the_uninterrupted_run_with_the_same_logs()
    {
        using var dir = new CliProcess.TempFolder();
        var straight = CliProcess.Run(Tiny(dir["straight"]));
        straight.ExitCode.ShouldBe(0, straight.ToString());

        using (var run = CliProcess.Start(Tiny(dir["cut"])))
        {
            WaitFor(() => CsvRows(dir["cut/simclr_loss.csv"]) >= 3, run, "three logged steps");
            CliProcess.Signal(run.Process, CliProcess.SIGTERM);
            var stopped = run.Wait();
            stopped.ExitCode.ShouldBe(143, stopped.ToString());
            stopped.Output.ShouldContain("Resume with: dsl-cli train --method simclr");
            stopped.Output.ShouldContain($"--out {dir["cut"]} --resume");
        }
        var saved = CheckpointFolder.Find(dir["cut"]).ShouldHaveSingleItem();
        saved.Step.ShouldBeInRange(3, 31, "stopped mid-run at a step boundary");
        CsvRows(dir["cut/simclr_loss.csv"]).ShouldBe((int)saved.Step, "one row per step taken");

        var resumed = CliProcess.Run([.. Tiny(dir["cut"]), "--resume"]);
        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        resumed.Output.ShouldContain($"at step {saved.Step}");

        var expected = Tensors(dir["straight/simclr-00000032.safetensors"]);
        var actual = Tensors(dir["cut/simclr-00000032.safetensors"]);
        actual.Keys.Order().ShouldBe(expected.Keys.Order());
        foreach (var (name, value) in expected) actual[name].AsBytes().ToArray().ShouldBe(value.AsBytes().ToArray(), name);
        File.ReadAllText(dir["cut/simclr_loss.csv"]).ShouldBe(File.ReadAllText(dir["straight/simclr_loss.csv"]));
        TensorBoardEvents.Steps(dir["cut/tensorboard"], "loss").ShouldBe(Enumerable.Range(0, 32).Select(i => (long)i), "each step once, in order");
    }

    [Fact]
    public void Ctrl_c_saves_and_resume_falls_back_past_a_corrupt_newest_checkpoint_saying_so()
    {
        using var dir = new CliProcess.TempFolder();
        using (var run = CliProcess.Start([.. Tiny(dir.Path), "--save-every", "2", "--keep", "3"]))
        {
            WaitFor(() => CheckpointFolder.Find(dir.Path).Count >= 2, run, "two checkpoints");
            CliProcess.Signal(run.Process, CliProcess.SIGINT);
            var stopped = run.Wait();
            stopped.ExitCode.ShouldBe(130, stopped.ToString());
            stopped.Error.ShouldContain("SIGINT: stopping after this step and saving a checkpoint");
        }
        var saved = CheckpointFolder.Find(dir.Path);
        saved.Count.ShouldBeGreaterThanOrEqualTo(2);
        File.WriteAllBytes(saved[^1].Path, File.ReadAllBytes(saved[^1].Path)[..100]);   // the newest, cut short

        var resumed = CliProcess.Run([.. Tiny(dir.Path), "--resume"]);
        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        resumed.Output.ShouldContain($"Skipped a newer checkpoint that does not load: Checkpoint '{saved[^1].Path}'");
        resumed.Output.ShouldContain($"Resumed from {saved[^2].Path} at step {saved[^2].Step}");
        CheckpointFolder.Find(dir.Path)[^1].Step.ShouldBe(32);
    }

    [Fact]
    public void Killed_during_save_keeps_previous_checkpoint_and_resume_auto_continues_from_it()
    {
        using var dir = new CliProcess.TempFolder();
        string output = dir["run"];
        Directory.CreateDirectory(output);
        // Saving after every step, the run is stopped (SIGSTOP) the moment a temporary checkpoint file appears; if the
        // file is still there the save was cut in the middle by the SIGKILL that follows, else the run goes on to the next save.
        using var watcher = new FileSystemWatcher(output, ".simclr-*.tmp");
        using var run = CliProcess.Start([.. Tiny(output, epochs: 4, width: 32), "--save-every", "1"]);
        int attempts = 0;
        bool cut = false;
        watcher.Created += (_, e) =>
        {
            if (cut) return;
            CliProcess.Signal(run.Process, CliProcess.SIGSTOP);
            attempts++;
            // Cut a save once an earlier checkpoint exists (the one that must survive).
            if (File.Exists(e.FullPath) && CheckpointFolder.Find(output).Count > 0)
            {
                cut = true;
                CliProcess.Signal(run.Process, CliProcess.SIGKILL);
            }
            else
            {
                CliProcess.Signal(run.Process, CliProcess.SIGCONT);
            }
        };
        watcher.EnableRaisingEvents = true;
        var killed = run.Wait();
        cut.ShouldBeTrue($"no save was caught in the middle in {attempts} tries: {killed}");
        killed.ExitCode.ShouldBe(137);

        var temporary = Directory.GetFiles(output, ".simclr-*.tmp").ShouldHaveSingleItem("the save that was cut short");
        var kept = CheckpointFolder.Find(output);
        kept.ShouldNotBeEmpty();
        var previous = kept[^1];
        Tensors(previous.Path).ShouldNotBeEmpty();   // intact: it reads and validates

        var resumed = CliProcess.Run([.. Tiny(output, epochs: 4, width: 32), "--resume", "auto"]);
        resumed.ExitCode.ShouldBe(0, resumed.ToString());
        resumed.Output.ShouldContain($"Resumed from {previous.Path} at step {previous.Step}");
        File.Exists(temporary).ShouldBeFalse("the next save removes what the killed one left");
        CheckpointFolder.Find(output)[^1].Step.ShouldBe(64);
    }

    [Fact]
    public void Disk_full_while_saving_keeps_the_old_checkpoint_removes_the_temporary_file_and_says_so()
    {
        using var dir = new CliProcess.TempFolder();
        string output = dir["run"];
        var first = CliProcess.Run(Tiny(output, epochs: 1));
        first.ExitCode.ShouldBe(0, first.ToString());
        var old = CheckpointFolder.Find(output).ShouldHaveSingleItem();
        var oldBytes = File.ReadAllBytes(old.Path);
        oldBytes.Length.ShouldBeGreaterThan(20 * 1024);

        // A 20 KB file-size limit (as a full disk: writes fail with EFBIG once a file would pass it; SIGXFSZ ignored
        // so the write fails instead of killing the process) lets the CSV and logs grow but not a new checkpoint.
        // (The runtime's W^X double mapping of code pages needs a file larger than that: turned off.)
        var full = CliProcess.Bash($"trap '' XFSZ; ulimit -f 20; DOTNET_EnableWriteXorExecute=0 exec dotnet \"$CLI\" {string.Join(' ', Tiny(output, epochs: 2))} --resume");
        full.ExitCode.ShouldBe(1, full.ToString());
        full.Error.ShouldContain("The disk is full");
        full.Error.ShouldContain($"The previous checkpoint, {old.Path}, is intact");
        full.Error.ShouldNotMatch(@"\w+Exception");
        File.ReadAllBytes(old.Path).ShouldBe(oldBytes);
        CheckpointFolder.Find(output).ShouldHaveSingleItem().Path.ShouldBe(old.Path);
        Directory.GetFiles(output, "*.tmp").ShouldBeEmpty();
    }

    [Fact]
    public void Second_run_into_a_folder_holding_a_checkpoint_is_refused_without_resume_or_overwrite()
    {
        using var dir = new CliProcess.TempFolder();
        var first = CliProcess.Run(Tiny(dir.Path, epochs: 1));
        first.ExitCode.ShouldBe(0, first.ToString());
        var before = File.ReadAllBytes(dir["simclr-00000016.safetensors"]);

        var again = CliProcess.Run([.. Tiny(dir.Path, epochs: 1), "--seed", "9"]);
        again.ExitCode.ShouldNotBe(0);
        again.Error.ShouldContain("already holds a checkpoint of an earlier run (simclr-00000016.safetensors): pass --resume to continue it, --overwrite to start it over");
        File.ReadAllBytes(dir["simclr-00000016.safetensors"]).ShouldBe(before);

        var overwritten = CliProcess.Run([.. Tiny(dir.Path, epochs: 1), "--seed", "9", "--overwrite"]);
        overwritten.ExitCode.ShouldBe(0, overwritten.ToString());
        File.ReadAllBytes(dir["simclr-00000016.safetensors"]).ShouldNotBe(before);
    }

    [Fact]
    public void Without_out_each_run_gets_its_own_folder_and_latest_names_the_newest()
    {
        using var dir = new CliProcess.TempFolder();
        string[] args = ["train", "--method", "simclr", "--width", "8", "--limit", "64", "--batch-size", "32", "--epochs", "1", "--probe-images", "0"];
        CliProcess.Run(args, workingDirectory: dir.Path).ExitCode.ShouldBe(0);
        Thread.Sleep(1100);   // folder names have one-second resolution (a clash would get a suffix anyway)
        CliProcess.Run([.. args, "--seed", "4"], workingDirectory: dir.Path).ExitCode.ShouldBe(0);
        var runs = Directory.GetDirectories(dir["runs"]).Select(Path.GetFileName).Order().ToArray();
        runs.Length.ShouldBe(2);
        runs.ShouldAllBe(r => r!.StartsWith("simclr-"));
        File.ReadAllText(dir["runs/latest"]).Trim().ShouldBe(runs[1]);

        // Commands that read a checkpoint take the runs folder (the latest run) or a run folder.
        var export = CliProcess.Run(["export", "--checkpoint", "runs", "--out", "latest.safetensors"], workingDirectory: dir.Path);
        export.ExitCode.ShouldBe(0, export.ToString());
        SafeTensors.Load(dir["latest.safetensors"]).Metadata["source"].ShouldBe("simclr-00000002.safetensors");
        var first = CliProcess.Run(["export", "--checkpoint", Path.Combine("runs", runs[0]!), "--out", "first.safetensors"], workingDirectory: dir.Path);
        first.ExitCode.ShouldBe(0, first.ToString());
        File.ReadAllBytes(dir["first.safetensors"]).ShouldNotBe(File.ReadAllBytes(dir["latest.safetensors"]));
    }

    [Fact]
    public void Folder_locked_by_a_live_run_is_refused()
    {
        using var dir = new CliProcess.TempFolder();
        // This test process stands in for the other run.
        File.WriteAllText(dir[RunLock.FileName], $"{Environment.ProcessId}\n");
        var run = CliProcess.Run(Tiny(dir.Path, epochs: 1));
        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldContain($"Another run (process {Environment.ProcessId}) is writing to");
        CheckpointFolder.Find(dir.Path).ShouldBeEmpty();
    }

    [Fact]
    public void Stale_lock_of_a_dead_run_is_taken_over()
    {
        using var dir = new CliProcess.TempFolder();
        File.WriteAllText(dir[RunLock.FileName], "999999999\n");
        var run = CliProcess.Run(Tiny(dir.Path, epochs: 1));
        run.ExitCode.ShouldBe(0, run.ToString());
        run.Output.ShouldContain("Took over the lock of process 999999999");
        File.Exists(dir[RunLock.FileName]).ShouldBeFalse("released at exit");
    }

    [Fact]
    public void Huge_learning_rate_stops_at_the_step_naming_the_learning_rate_and_saves_nothing_new()
    {
        using var dir = new CliProcess.TempFolder();
        var run = CliProcess.Run([.. Tiny(dir.Path), "--lr", "1e30", "--save-every", "1"]);
        run.ExitCode.ShouldBe(1, run.ToString());
        run.Error.ShouldMatch(@"error: Step (\d+) \(learning rate [0-9.E+]+\): the (loss|global gradient norm \(grad_norm\)) became (NaN|\+infinity)");
        run.Error.ShouldContain("Nothing was saved after it");
        run.Error.ShouldContain("--on-nonfinite rollback");
        int step = int.Parse(System.Text.RegularExpressions.Regex.Match(run.Error, @"Step (\d+)").Groups[1].Value);
        var saved = CheckpointFolder.Find(dir.Path);
        saved.ShouldAllBe(c => c.Step <= step, "no checkpoint after the bad step");
        foreach (var (_, path) in saved) Tensors(path).Values.ShouldAllBe(t => ((float[])t.Data).All(float.IsFinite) || t.DType != DType.Float32);
    }
}
