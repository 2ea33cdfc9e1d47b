using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// The ID3D12Object and ID3D12DeviceChild methods every reference D3D12 object shares: names are
/// accepted, private data is not kept, GetDevice returns the owning device.
/// </summary>
internal abstract unsafe class ReferenceD3D12Child(ReferenceD3D12Device? device, ReferenceGpu gpu)
{
    /// <summary>The device's shared state.</summary>
    public ReferenceGpu Gpu { get; } = gpu;

    public int GetPrivateData(Guid* guid, uint* pDataSize, void* pData) => ReferenceDeviceException.NotImplemented;

    public int SetPrivateData(Guid* guid, uint DataSize, void* pData) => ReferenceDeviceException.NotImplemented;

    public int SetPrivateDataInterface(Guid* guid, void* pData) => ReferenceDeviceException.NotImplemented;

    public int SetName(void* Name) => 0;

    public void GetDevice(Guid* riid, void** ppvDevice) => ReferenceGpu.Return(device ?? (object)this, riid, ppvDevice);

    /// <summary>What an unimplemented placeholder returns (the runtime never calls them).</summary>
    protected int NotImplemented(string method)
    {
        Gpu.Errors.Add($"{GetType().Name}.{method} is not implemented by the reference device.");
        return ReferenceDeviceException.NotImplemented;
    }
}
