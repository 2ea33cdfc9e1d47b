namespace Dsl.Backend.DirectML;

/// <summary>The DirectX 12 adapter and DirectML library the backend would run on.</summary>
/// <param name="AdapterName">The driver's adapter description, e.g. "NVIDIA GeForce RTX 4070".</param>
/// <param name="FeatureLevel">The highest DirectML feature level the device supports, e.g. 5.1 for DML_FEATURE_LEVEL_5_1.</param>
/// <param name="DedicatedMemoryBytes">Dedicated adapter memory, 0 when the driver does not report it.</param>
/// <param name="DirectMLLibrary">The DirectML library file or name that was loaded.</param>
public sealed record DirectMLDeviceInfo(string AdapterName, Version FeatureLevel, ulong DedicatedMemoryBytes, string DirectMLLibrary)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{AdapterName} (DirectML feature level {FeatureLevel.Major}_{FeatureLevel.Minor}, {DedicatedMemoryBytes / (1024 * 1024)} MiB, {DirectMLLibrary})";
}
