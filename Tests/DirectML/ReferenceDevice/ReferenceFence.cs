using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>A fence: the queue executes synchronously, so a value is complete as soon as it is signalled.</summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceFence(ReferenceD3D12Device device, ReferenceGpu gpu, ulong initial) : ReferenceD3D12Child(device, gpu), ID3D12Fence
{
    /// <summary>The last completed value.</summary>
    public ulong Value { get; set; } = initial;

    public ulong GetCompletedValue() => Value;

    public void SetEventOnCompletion(ulong Value, nint hEvent)
    {
        Gpu.ThrowIfRemoved("ID3D12Fence::SetEventOnCompletion");
        // Nothing else will ever signal: waiting for a value not yet signalled would hang.
        if (Value > this.Value)
            throw Gpu.Fail($"ID3D12Fence::SetEventOnCompletion({Value}) would wait forever: the fence is at {this.Value} and nothing pending signals it.");
    }

    public void Signal(ulong Value) => this.Value = Value;
}
