using System.Runtime.InteropServices;

namespace Dsl.Cli;

/// <summary>
/// Turns the first SIGINT (Ctrl-C) or SIGTERM into a stop request, so training finishes its step and saves
/// before exiting; a second one ends the process at once (the last saved checkpoint stays).
/// </summary>
sealed class InterruptSignal : IDisposable
{
    readonly CancellationTokenSource stop = new();
    readonly PosixSignalRegistration[] registrations;

    public InterruptSignal() => registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => stop.Token;

    /// <summary>The signal received, if any.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The conventional exit code of a process stopped by <see cref="Received"/> (128 + its number).</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? 143 : 130;

    void Handle(PosixSignalContext context)
    {
        if (stop.IsCancellationRequested) return;   // the second signal gets the default action: exit now
        context.Cancel = true;
        Received = context.Signal;
        Console.Error.WriteLine($"{context.Signal}: stopping after this step and saving a checkpoint (send it again to quit without saving).");
        stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var r in registrations) r.Dispose();
        stop.Dispose();
    }
}
