namespace Dsl.Cli;

/// <summary>An expected failure (bad option value, unavailable device, diverged run): printed as one line.</summary>
sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    /// <summary>Process exit code: 2 for bad options, 1 for other failures.</summary>
    public int ExitCode { get; } = exitCode;
}
