using Dsl.Models.Checkpoints;
using Dsl.Models.Data;

namespace Dsl.Cli;

/// <summary>How every command reports failures.</summary>
static class CommandRunner
{
    /// <summary>
    /// Runs a command, turning expected failures (bad data, bad options, unavailable device) into one
    /// error line and a non-zero exit code. Set DSL_DEBUG=1 to see stack traces.
    /// </summary>
    public static int Guarded(Func<int> action)
    {
        bool debug = Environment.GetEnvironmentVariable("DSL_DEBUG") is "1" or "true";
        try
        {
            return action();
        }
        catch (Exception e) when (!debug && e is DataFileException or CliException or CheckpointException)
        {
            Console.Error.WriteLine("error: " + OneLine(e.Message));
            return e is CliException c ? c.ExitCode : 1;
        }
        catch (Exception e) when (!debug)
        {
            Console.Error.WriteLine($"error: {e.GetType().Name}: {OneLine(e.Message)} (set DSL_DEBUG=1 for the stack trace)");
            return 1;
        }
    }

    /// <summary>A message on one line.</summary>
    public static string OneLine(string message) =>
        System.Text.RegularExpressions.Regex.Replace(message.Trim(), @"\s*\n\s*", " ");
}
