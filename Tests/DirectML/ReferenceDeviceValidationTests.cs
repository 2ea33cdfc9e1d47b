using System.Runtime.InteropServices;
using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Backend.DirectML.Runtime;
using Dsl.Tests.DirectML.ReferenceDevice;

namespace Dsl.Tests.DirectML;

/// <summary>
/// The reference device rejects what real D3D12/DirectML reject, with a message in
/// <see cref="ReferenceGpu.Errors"/> (HRESULTs carry none across COM), so runtime bugs of these
/// kinds fail on Linux CI instead of on a GPU.
/// </summary>
public unsafe class ReferenceDeviceValidationTests
{
    static DmlDevice Device(ReferenceDevice.ReferenceDevice reference) =>
        new(ComInterop.Take<ID3D12Device>(ReferenceGpu.Pointer<ID3D12Device>(reference.D3D12)),
            ComInterop.Take<IDMLDevice1>(ReferenceGpu.Pointer<IDMLDevice1>(reference.Dml)), ReferenceDevice.ReferenceDevice.AdapterName);

    [Fact]
    public void Mapping_a_default_heap_buffer_fails()
    {
        using var reference = new ReferenceDevice.ReferenceDevice();
        using var device = Device(reference);
        using var buffer = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 16);
        Should.Throw<ArgumentException>(() => buffer.Write(0, new byte[4]));
        reference.Gpu.Errors.ShouldHaveSingleItem().ShouldContain("Map on a DEFAULT heap buffer");
    }

    [Fact]
    public void A_copy_without_its_barrier_removes_the_device()
    {
        using var reference = new ReferenceDevice.ReferenceDevice();
        using var device = Device(reference);
        using var upload = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD, 16);
        using var target = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 16);
        // The target rests in UNORDERED_ACCESS; a copy needs COPY_DEST.
        Should.Throw<COMException>(() => device.Submit(l => l.CopyBufferRegion(target.Resource, 0, upload.Resource, 0, 16)))
            .Message.ShouldContain("the device was removed");
        reference.Gpu.Errors.ShouldContain(e => e.Contains("is in D3D12_RESOURCE_STATE_UNORDERED_ACCESS, not D3D12_RESOURCE_STATE_COPY_DEST (a missing or wrong barrier)"));
        reference.Gpu.Removed.ShouldBeTrue();
    }

    [Fact]
    public void The_GPU_cannot_write_to_an_upload_heap()
    {
        using var reference = new ReferenceDevice.ReferenceDevice();
        using var device = Device(reference);
        using var upload = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD, 16);
        using var source = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 16);
        Should.Throw<COMException>(() => device.Submit(l => l.CopyBufferRegion(upload.Resource, 0, source.Resource, 0, 16)))
            .Message.ShouldContain("Close");
        reference.Gpu.Errors.ShouldContain(e => e.Contains("cannot write to an UPLOAD heap"));
    }

    [Fact]
    public void A_copy_past_the_end_of_a_buffer_fails_at_record_time()
    {
        using var reference = new ReferenceDevice.ReferenceDevice();
        using var device = Device(reference);
        using var upload = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD, 16);
        using var target = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 16);
        Should.Throw<COMException>(() => device.Upload(target, new byte[32]));
        reference.Gpu.Errors.ShouldContain(e => e.Contains("bytes [0, 32) are outside the 16-byte"));
    }

    static Graph Exp()
    {
        var g = new Graph("exp");
        g.Output("y", Ops.Exp(g.Input("x", new Shape(2, 3))));
        return g;
    }

    [Fact]
    public void Binding_a_buffer_smaller_than_its_tensor_fails_the_dispatch()
    {
        using var reference = new ReferenceDevice.ReferenceDevice();
        using var device = Device(reference);
        using var built = DmlGraphBuilder.Build(Exp(), desc => CreateOperator(reference, desc));
        using var small = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 8);
        using var output = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 24);
        using var program = new DmlGraphProgram(device, built, [small], [output]);
        Should.Throw<COMException>(() => device.Submit(program.RecordDispatch));
        reference.Gpu.Errors.ShouldContain(e => e.Contains("graph input 0 is bound to 8 bytes; its tensor needs 24"));
    }

    [Fact]
    public void A_binding_offset_off_the_16_byte_alignment_is_rejected()
    {
        using var reference = new ReferenceDevice.ReferenceDevice();
        using var device = Device(reference);
        using var built = DmlGraphBuilder.Build(Exp(), desc => CreateOperator(reference, desc));
        var compiled = new ReferenceCompiledGraph(reference.Dml, reference.Gpu, built.Desc, DML_EXECUTION_FLAGS.DML_EXECUTION_FLAG_NONE);
        var heapDesc = new D3D12_DESCRIPTOR_HEAP_DESC { NumDescriptors = 4, Flags = D3D12_DESCRIPTOR_HEAP_FLAGS.D3D12_DESCRIPTOR_HEAP_FLAG_SHADER_VISIBLE };
        var heap = new ReferenceDescriptorHeap(reference.D3D12, reference.Gpu, heapDesc);
        reference.Gpu.Heaps.Add(heap);
        using var buffer = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, 64);

        var table = new ReferenceBindingTable(reference.Dml, reference.Gpu);
        var dispatchable = ReferenceGpu.Pointer<IDMLDispatchable>(compiled);
        try
        {
            var tableDesc = new DML_BINDING_TABLE_DESC
            {
                Dispatchable = dispatchable,
                CPUDescriptorHandle = heap.GetCPUDescriptorHandleForHeapStart(),
                GPUDescriptorHandle = heap.GetGPUDescriptorHandleForHeapStart(),
                SizeInDescriptors = 2,
            };
            table.Reset(&tableDesc);
        }
        finally
        {
            ComInterop.Release(dispatchable);
        }
        var binding = new DML_BUFFER_BINDING { Buffer = buffer.Pointer, Offset = 8, SizeInBytes = 24 };
        var desc = new DML_BINDING_DESC { Type = DML_BINDING_TYPE.DML_BINDING_TYPE_BUFFER, Desc = &binding };
        table.BindInputs(1, &desc);
        table.Error.ShouldNotBeNull().ShouldContain("offset 8 is not a multiple of 16");
    }

    static void* CreateOperator(ReferenceDevice.ReferenceDevice reference, DML_OPERATOR_DESC* desc)
    {
        void* op;
        var iid = typeof(IDMLOperator).GUID;
        reference.Dml.CreateOperator(desc, &iid, &op);
        return op;
    }
}
