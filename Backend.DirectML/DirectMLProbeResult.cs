namespace Dsl.Backend.DirectML;

/// <summary>The answer of <see cref="DirectMLAvailability.Probe()"/>: a device, or why there is none.</summary>
public sealed class DirectMLProbeResult
{
    private DirectMLProbeResult(DirectMLDeviceInfo? device, string? unavailableReason)
    {
        Device = device;
        UnavailableReason = unavailableReason;
    }

    /// <summary>True when <see cref="Device"/> is set.</summary>
    public bool IsAvailable => Device is not null;

    /// <summary>The device found, or null.</summary>
    public DirectMLDeviceInfo? Device { get; }

    /// <summary>What is missing and how to get it; null when available.</summary>
    public string? UnavailableReason { get; }

    /// <summary>The device, or a <see cref="DirectMLUnavailableException"/> carrying <see cref="UnavailableReason"/>.</summary>
    public DirectMLDeviceInfo EnsureAvailable() => Device ?? throw new DirectMLUnavailableException(UnavailableReason!);

    /// <inheritdoc/>
    public override string ToString() => Device?.ToString() ?? UnavailableReason!;

    internal static DirectMLProbeResult Available(DirectMLDeviceInfo device) => new(device, null);

    internal static DirectMLProbeResult Unavailable(string reason) => new(null, reason);
}
