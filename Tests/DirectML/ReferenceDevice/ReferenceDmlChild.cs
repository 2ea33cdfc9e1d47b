namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>The IDMLObject and IDMLDeviceChild methods every reference DirectML object shares.</summary>
internal abstract unsafe class ReferenceDmlChild(ReferenceDmlDevice? device, ReferenceGpu gpu)
{
    /// <summary>The device's shared state.</summary>
    public ReferenceGpu Gpu { get; } = gpu;

    public int GetPrivateData(Guid* guid, uint* dataSize, void* data) => ReferenceDeviceException.NotImplemented;

    public int SetPrivateData(Guid* guid, uint dataSize, void* data) => ReferenceDeviceException.NotImplemented;

    public int SetPrivateDataInterface(Guid* guid, void* data) => ReferenceDeviceException.NotImplemented;

    public int SetName(void* name) => 0;

    public void GetDevice(Guid* riid, void** ppv) => ReferenceGpu.Return(device ?? (object)this, riid, ppv);
}
