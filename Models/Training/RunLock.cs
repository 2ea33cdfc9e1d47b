using System.Diagnostics;
using System.Globalization;

namespace Dsl.Models.Training;

/// <summary>Another live process holds the run folder's lock.</summary>
public sealed class RunLockedException(string folder, int pid)
    : Exception($"Another run (process {pid}) is writing to '{folder}': wait for it to finish, stop it, or choose another --out.")
{
    /// <summary>The locking process.</summary>
    public int ProcessId { get; } = pid;
}

/// <summary>
/// A lock file (<c>.lock</c>, holding the owner's process id and start time) that keeps two runs from writing
/// the same folder. A lock whose process is gone (or whose id now belongs to a process started later) is stale
/// and is taken over. Disposing releases it, and removes the folders acquiring created if they are still empty
/// (a run that failed before writing anything leaves no trace).
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name in the run folder.</summary>
    public const string FileName = ".lock";

    readonly string[] created;

    RunLock(string path, int? takenOverFrom, string[] created) => (Path, TakenOverFrom, this.created) = (path, takenOverFrom, created);

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The process id of a stale lock this one replaced, if any.</summary>
    public int? TakenOverFrom { get; }

    /// <summary>Creates <paramref name="folder"/> if needed and locks it for this process.</summary>
    /// <exception cref="RunLockedException">A live process holds the lock.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder cannot be written.</exception>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    public static RunLock Acquire(string folder)
    {
        var created = Missing(System.IO.Path.GetFullPath(folder));
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, FileName);
        int? stale = null;
        using var self = Process.GetCurrentProcess();
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var writer = new StreamWriter(file);
                writer.Write($"{Environment.ProcessId}\n{StartTicks(self).ToString(CultureInfo.InvariantCulture)}\n");
                return new RunLock(path, stale, created);
            }
            catch (IOException) when (File.Exists(path) && attempt < 3)
            {
                var (pid, started) = Read(path);
                if (pid is int owner && IsAlive(owner, started)) throw new RunLockedException(folder, owner);
                stale = pid ?? stale;
                File.Delete(path);
            }
        }
    }

    /// <summary>The folder and those of its ancestors that do not exist yet, innermost first.</summary>
    static string[] Missing(string folder)
    {
        var missing = new List<string>();
        for (var d = folder; !string.IsNullOrEmpty(d) && !Directory.Exists(d); d = System.IO.Path.GetDirectoryName(d)) missing.Add(d);
        return [.. missing];
    }

    static (int? Pid, long? Started) Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (FileNotFoundException)
        {
            return (null, null);
        }
        int? pid = lines.Length > 0 && int.TryParse(lines[0], CultureInfo.InvariantCulture, out int p) ? p : null;
        long? started = lines.Length > 1 && long.TryParse(lines[1], CultureInfo.InvariantCulture, out long t) ? t : null;
        return (pid, started);
    }

    /// <summary>Whether process <paramref name="pid"/> runs and is the one that wrote the lock (same start time, when recorded).</summary>
    static bool IsAlive(int pid, long? started)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            // Start times are read back from /proc with jiffy resolution: equal within a second means the same process.
            return !process.HasExited && (started is not long t || Math.Abs(StartTicks(process) - t) < TimeSpan.TicksPerSecond);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;

    /// <inheritdoc/>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
            foreach (var folder in created)
            {
                if (!Directory.Exists(folder) || Directory.EnumerateFileSystemEntries(folder).Any()) break;
                Directory.Delete(folder);
            }
        }
        catch (IOException)
        {
            // The folder went away or was filled meanwhile: nothing is left to clean up.
        }
    }
}
