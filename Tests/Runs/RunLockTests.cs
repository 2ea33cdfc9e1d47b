using System.Diagnostics;
using Dsl.Models.Training;

namespace Dsl.Tests.Runs;

/// <summary>Two runs never write one folder: a live lock refuses, a stale one (its process is gone) is taken over.</summary>
public sealed class RunLockTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("run-lock").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Second_run_on_a_locked_folder_is_refused_naming_the_owner()
    {
        using var first = RunLock.Acquire(dir);
        File.ReadAllLines(first.Path)[0].ShouldBe(Environment.ProcessId.ToString());
        var e = Should.Throw<RunLockedException>(() => RunLock.Acquire(dir));
        e.ProcessId.ShouldBe(Environment.ProcessId);
        e.Message.ShouldContain($"process {Environment.ProcessId}");
        e.Message.ShouldContain("choose another --out");
    }

    [Fact]
    public void Stale_lock_of_a_dead_process_is_taken_over()
    {
        using var exited = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        exited.WaitForExit();
        File.WriteAllText(Path.Combine(dir, RunLock.FileName), $"{exited.Id}\n0\n");
        using var taken = RunLock.Acquire(dir);
        taken.TakenOverFrom.ShouldBe(exited.Id);
        File.ReadAllLines(taken.Path)[0].ShouldBe(Environment.ProcessId.ToString());
    }

    [Fact]
    public void Lock_whose_process_id_was_reused_by_a_later_process_is_stale()
    {
        // Our own id with another start time: the process that wrote the lock is gone and the id was reused.
        File.WriteAllText(Path.Combine(dir, RunLock.FileName), $"{Environment.ProcessId}\n{DateTime.UtcNow.AddDays(-3).Ticks}\n");
        using var taken = RunLock.Acquire(dir);
        taken.TakenOverFrom.ShouldBe(Environment.ProcessId);
    }

    [Fact]
    public void Released_lock_removes_the_folders_it_created_while_empty()
    {
        var nested = Path.Combine(dir, "runs", "simclr-1");
        RunLock.Acquire(nested).Dispose();
        Directory.Exists(Path.Combine(dir, "runs")).ShouldBeFalse();
        Directory.Exists(dir).ShouldBeTrue("it existed before");
    }
}
