namespace Dsl.Backend.DirectML.Interop;

// dxcore_interface.h (directx-headers-dev 1.606.4): C++ enum classes over uint32_t.
// Values checked by Tests/DirectML/D3D12LayoutTests (the C++ probe).

internal enum DXCoreAdapterProperty : uint
{
    InstanceLuid = 0,
    DriverVersion = 1,
    DriverDescription = 2,
    HardwareID = 3,
    DedicatedAdapterMemory = 7,
    IsHardware = 11,
    IsIntegrated = 12,
}

internal enum DXCoreAdapterPreference : uint
{
    Hardware = 0,
    MinimumPower = 1,
    HighPerformance = 2,
}
