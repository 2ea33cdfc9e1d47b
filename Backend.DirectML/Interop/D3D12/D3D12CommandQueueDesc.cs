namespace Dsl.Backend.DirectML.Interop;

// Layout of d3d12.h; checked against the header by Tests/DirectML/D3D12LayoutTests.

internal struct D3D12_COMMAND_QUEUE_DESC
{
    public D3D12_COMMAND_LIST_TYPE Type;
    public int Priority;
    public D3D12_COMMAND_QUEUE_FLAGS Flags;
    public uint NodeMask;
}
