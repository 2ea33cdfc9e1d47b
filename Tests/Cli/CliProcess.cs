using System.Diagnostics;

namespace Dsl.Tests.Cli;

/// <summary>Runs the built command line (samples/Dsl.Cli, same configuration as the tests) in a child process.</summary>
static class CliProcess
{
    /// <summary>What a run printed and returned.</summary>
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>The dsl-cli.dll built next to this test assembly's configuration.</summary>
    public static string Dll
    {
        get
        {
            // Tests/bin/<Configuration>/net10.0/ → samples/Dsl.Cli/bin/<Configuration>/net10.0/dsl-cli.dll
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name, configuration = output.Parent!.Name;
            var repository = output.Parent!.Parent!.Parent!.Parent!.FullName;
            string dll = Path.Combine(repository, "samples", "Dsl.Cli", "bin", configuration, framework, "dsl-cli.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build samples/Dsl.Cli ({configuration}) first; the tests project references it so 'dotnet test' does.", dll);
        }
    }

    /// <summary>Runs <c>dotnet dsl-cli.dll ARGS</c> and waits (at most <paramref name="timeoutSeconds"/>).</summary>
    public static Result Run(IEnumerable<string> args, int timeoutSeconds = 120, string? workingDirectory = null) =>
        Start(args, workingDirectory).Wait(timeoutSeconds);

    /// <summary>Starts <c>dotnet dsl-cli.dll ARGS</c> (the dotnet host runs the app in its own process, so its id is the app's).</summary>
    public static Running Start(IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        info.ArgumentList.Add(Dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return new Running(Process.Start(info)!, string.Join(' ', args));
    }

    /// <summary>Runs <paramref name="script"/> with bash (e.g. to set a ulimit first); $CLI is the dsl-cli.dll.</summary>
    public static Result Bash(string script, int timeoutSeconds = 120)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        info.Environment["CLI"] = Dll;
        return new Running(Process.Start(info)!, script).Wait(timeoutSeconds);
    }

    /// <summary>A started command line, its output read as it comes.</summary>
    public sealed class Running(Process process, string description) : IDisposable
    {
        readonly Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        readonly Task<string> stderr = process.StandardError.ReadToEndAsync();

        public Process Process { get; } = process;

        public Result Wait(int timeoutSeconds = 120)
        {
            if (!Process.WaitForExit(timeoutSeconds * 1000))
            {
                Process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{description} ran longer than {timeoutSeconds} s.");
            }
            Process.WaitForExit();
            return new Result(Process.ExitCode, stdout.Result, stderr.Result);
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    /// <summary>Sends a POSIX signal (Process.Kill only sends SIGKILL).</summary>
    public static void Signal(Process process, int signal)
    {
        if (Kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed.");
    }

    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);

    /// <summary>A fresh temporary folder, deleted on dispose.</summary>
    public sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("dsl-cli-test-").FullName;
        public string this[string name] => System.IO.Path.Combine(Path, name);
        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
        }
    }
}
