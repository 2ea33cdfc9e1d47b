namespace Dsl.Backend.DirectML.Interop;

/// <summary>
/// Adapter filter GUIDs of dxcore_interface.h (DEFINE_GUID there); checked against the header by
/// Tests/DirectML/D3D12LayoutTests.
/// </summary>
internal static class DXCoreAdapterAttributes
{
    /// <summary>Adapters that run D3D12 compute (includes compute-only NPUs); what DirectML needs.</summary>
    public static readonly Guid DXCORE_ADAPTER_ATTRIBUTE_D3D12_CORE_COMPUTE = new("248e2800-a793-4724-abaa-23a6de1be090");

    /// <summary>Adapters with full D3D12 graphics.</summary>
    public static readonly Guid DXCORE_ADAPTER_ATTRIBUTE_D3D12_GRAPHICS = new("0c9ece4d-2f6e-4f01-8c96-e89e331b47b1");
}
