using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;

namespace Dsl.Backend.DirectML.Runtime;

/// <summary>
/// A compiled DirectML graph ready to dispatch: the compiled operator, its persistent and
/// temporary resources (sized by <c>GetBindingProperties</c>), a shader-visible descriptor heap
/// and a binding table with every input and output bound once. The buffers never change, so
/// binding happens at construction and a run only records the dispatch.
/// </summary>
internal sealed unsafe class DmlGraphProgram : IDisposable
{
    readonly IDMLCompiledOperator compiled;
    readonly ID3D12DescriptorHeap heap;
    readonly IDMLBindingTable table;
    readonly IDMLCommandRecorder recorder;
    readonly DmlBuffer? persistent;
    readonly DmlBuffer? temporary;
    void* heapPointer;

    /// <summary>
    /// Compiles <paramref name="built"/>, runs the operator initializer once and binds
    /// <paramref name="inputs"/> and <paramref name="outputs"/> (one buffer per graph input and output index).
    /// </summary>
    public DmlGraphProgram(DmlDevice device, DmlBuiltGraph built, IReadOnlyList<DmlBuffer> inputs, IReadOnlyList<DmlBuffer> outputs)
    {
        var dml = device.Dml;
        // DESCRIPTORS_VOLATILE is not needed: the descriptors are written once and stay valid.
        compiled = DmlDevice.Create<IDMLCompiledOperator>((iid, ppv) => dml.CompileGraph(built.Desc, DML_EXECUTION_FLAGS.DML_EXECUTION_FLAG_NONE, iid, ppv));
        var compiledPointer = stackalloc void*[1];
        compiledPointer[0] = ComInterop.AddRefPointer(compiled);
        IDMLOperatorInitializer initializer;
        try
        {
            initializer = DmlDevice.Create<IDMLOperatorInitializer>((iid, ppv) => dml.CreateOperatorInitializer(1, compiledPointer, iid, ppv));
        }
        finally
        {
            ComInterop.Release(compiledPointer[0]);
        }
        try
        {
            var execute = compiled.GetBindingProperties();
            var initialize = initializer.GetBindingProperties();
            var descriptors = Math.Max(execute.RequiredDescriptorCount, initialize.RequiredDescriptorCount);
            var heapDesc = stackalloc D3D12_DESCRIPTOR_HEAP_DESC[1];
            heapDesc[0] = new D3D12_DESCRIPTOR_HEAP_DESC
            {
                Type = D3D12_DESCRIPTOR_HEAP_TYPE.D3D12_DESCRIPTOR_HEAP_TYPE_CBV_SRV_UAV,
                NumDescriptors = Math.Max(descriptors, 1),
                Flags = D3D12_DESCRIPTOR_HEAP_FLAGS.D3D12_DESCRIPTOR_HEAP_FLAG_SHADER_VISIBLE,
            };
            heap = DmlDevice.Create<ID3D12DescriptorHeap>((iid, ppv) => device.D3D12.CreateDescriptorHeap(heapDesc, iid, ppv));
            heapPointer = ComInterop.AddRefPointer(heap);
            recorder = DmlDevice.Create<IDMLCommandRecorder>(dml.CreateCommandRecorder);

            if (execute.PersistentResourceSize > 0)
                persistent = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, Align(execute.PersistentResourceSize));
            var temporarySize = Math.Max(execute.TemporaryResourceSize, initialize.TemporaryResourceSize);
            if (temporarySize > 0)
                temporary = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, Align(temporarySize));

            // The initializer writes the persistent resource (its output); there are no
            // DML-owned inputs to bind (no tensor carries DML_TENSOR_FLAG_OWNED_BY_DML).
            var initPointer = ComInterop.AddRefPointer<IDMLDispatchable>(initializer);
            try
            {
                var tableDesc = stackalloc DML_BINDING_TABLE_DESC[1];
                tableDesc[0] = TableDesc(initPointer, heapDesc->NumDescriptors);
                table = DmlDevice.Create<IDMLBindingTable>((iid, ppv) => dml.CreateBindingTable(tableDesc, iid, ppv));
            }
            finally
            {
                ComInterop.Release(initPointer);
            }
            if (initialize.TemporaryResourceSize > 0)
                BindTemporary(temporary!, initialize.TemporaryResourceSize);
            {
                // One output per initialized operator: its persistent resource, or NONE if it needs none.
                var binding = new DML_BUFFER_BINDING { Buffer = persistent is null ? null : persistent.Pointer, SizeInBytes = execute.PersistentResourceSize };
                var desc = persistent is null
                    ? new DML_BINDING_DESC { Type = DML_BINDING_TYPE.DML_BINDING_TYPE_NONE }
                    : new DML_BINDING_DESC { Type = DML_BINDING_TYPE.DML_BINDING_TYPE_BUFFER, Desc = &binding };
                table.BindOutputs(1, &desc);
            }
            device.Submit(list => Record(initializer, list));

            // Rebind the same table to the compiled graph: inputs, outputs, and both resources.
            var graphPointer = ComInterop.AddRefPointer<IDMLDispatchable>(compiled);
            try
            {
                var tableDesc = TableDesc(graphPointer, heapDesc->NumDescriptors);
                table.Reset(&tableDesc);
            }
            finally
            {
                ComInterop.Release(graphPointer);
            }
            Bind(inputs, outputs);
            if (execute.TemporaryResourceSize > 0)
                BindTemporary(temporary!, execute.TemporaryResourceSize);
            if (persistent is not null)
            {
                var binding = new DML_BUFFER_BINDING { Buffer = persistent.Pointer, SizeInBytes = execute.PersistentResourceSize };
                var desc = new DML_BINDING_DESC { Type = DML_BINDING_TYPE.DML_BINDING_TYPE_BUFFER, Desc = &binding };
                table.BindPersistentResource(&desc);
            }
        }
        finally
        {
            ComInterop.FinalRelease(initializer);
        }
    }

    /// <summary>Records the graph's dispatch, followed by a UAV barrier so later copies see its outputs.</summary>
    public void RecordDispatch(ID3D12GraphicsCommandList list) => Record(compiled, list);

    void Record(IDMLDispatchable dispatchable, ID3D12GraphicsCommandList list)
    {
        var heaps = stackalloc void*[1];
        heaps[0] = heapPointer;
        list.SetDescriptorHeaps(1, heaps);
        recorder.RecordDispatch(list, dispatchable, table);
        Barriers.AllUnorderedAccess(list);
    }

    /// <summary>A table over the whole heap: at least what either dispatchable requires, never zero descriptors.</summary>
    DML_BINDING_TABLE_DESC TableDesc(void* dispatchable, uint descriptors) => new()
    {
        Dispatchable = dispatchable,
        CPUDescriptorHandle = heap.GetCPUDescriptorHandleForHeapStart(),
        GPUDescriptorHandle = heap.GetGPUDescriptorHandleForHeapStart(),
        SizeInDescriptors = descriptors,
    };

    void Bind(IReadOnlyList<DmlBuffer> inputs, IReadOnlyList<DmlBuffer> outputs)
    {
        // Every buffer is bound whole at offset 0, so DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT holds trivially.
        var buffers = stackalloc DML_BUFFER_BINDING[Math.Max(inputs.Count, outputs.Count)];
        var descs = stackalloc DML_BINDING_DESC[Math.Max(inputs.Count, outputs.Count)];
        for (var pass = 0; pass < 2; pass++)
        {
            var list = pass == 0 ? inputs : outputs;
            for (var i = 0; i < list.Count; i++)
            {
                buffers[i] = new DML_BUFFER_BINDING { Buffer = list[i].Pointer, Offset = 0, SizeInBytes = list[i].SizeInBytes };
                descs[i] = new DML_BINDING_DESC { Type = DML_BINDING_TYPE.DML_BINDING_TYPE_BUFFER, Desc = &buffers[i] };
            }
            if (pass == 0)
                table.BindInputs((uint)list.Count, descs);
            else
                table.BindOutputs((uint)list.Count, descs);
        }
    }

    void BindTemporary(DmlBuffer buffer, ulong size)
    {
        var binding = new DML_BUFFER_BINDING { Buffer = buffer.Pointer, SizeInBytes = size };
        var desc = new DML_BINDING_DESC { Type = DML_BINDING_TYPE.DML_BINDING_TYPE_BUFFER, Desc = &binding };
        table.BindTemporaryResource(&desc);
    }

    /// <summary>Buffer widths are multiples of 4 (DirectML's rule for tensor buffer sizes).</summary>
    static ulong Align(ulong size) => (size + 3) & ~3UL;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (heapPointer == null)
            return;
        ComInterop.Release(heapPointer);
        heapPointer = null;
        persistent?.Dispose();
        temporary?.Dispose();
        ComInterop.FinalRelease(table);
        ComInterop.FinalRelease(recorder);
        ComInterop.FinalRelease(heap);
        ComInterop.FinalRelease(compiled);
    }
}
