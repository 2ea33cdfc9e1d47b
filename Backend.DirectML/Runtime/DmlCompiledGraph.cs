using Dsl.Backend.DirectML.Interop;
using Dsl.Backend.DirectML.Lowering;
using Dsl.Execution;

namespace Dsl.Backend.DirectML.Runtime;

/// <summary>
/// A graph compiled for DirectML. One DEFAULT buffer per graph input, persistent value, constant
/// and result; one UPLOAD buffer for the inputs and one READBACK buffer for the outputs, reused
/// by every run. A run uploads the inputs, dispatches the compiled graph, copies results that no
/// node computes, reads the outputs back and copies each update's new value into its persistent
/// buffer, all in one command list, then waits for it.
/// </summary>
/// <remarks>
/// The <see cref="DmlBuiltGraph"/> stays alive (undisposed) as long as this object: a DirectML
/// implementation may read the operator descriptions behind the compiled graph lazily.
/// </remarks>
internal sealed class DmlCompiledGraph : ICompiledGraph
{
    readonly DmlDevice device;
    readonly DmlBuiltGraph built;
    readonly DmlGraphProgram? program;
    readonly Dictionary<Tensor, DmlBuffer> values = [];
    readonly DmlBuffer[] results;
    readonly Tensor[] inputs;
    // Fixed at compile time, read by every run's recording.
    readonly DmlBuffer[] inputBuffers = [];
    readonly DmlBuffer[] copySources = [];
    readonly DmlBuffer[] copyTargets = [];
    readonly ulong[] copyBytes = [];
    readonly DmlBuffer[] updateTargets = [];
    readonly ulong[] uploadOffsets;
    readonly ulong[] readbackOffsets;
    readonly DmlBuffer? upload;
    readonly DmlBuffer? readback;
    bool disposed;

    public unsafe DmlCompiledGraph(DmlDevice device, Graph graph)
    {
        this.device = device;
        Graph = graph;
        var operators = new List<nint>();
        var dml = device.Dml;
        try
        {
            built = DmlGraphBuilder.Build(graph, desc =>
            {
                void* op = null;
                var iid = typeof(IDMLOperator).GUID;
                dml.CreateOperator(desc, &iid, &op);
                operators.Add((nint)op);
                return op;
            }, device.FeatureLevel);
            foreach (var v in graph.Persistent.Concat(graph.Inputs).Concat(built.Constants.Keys))
                values[v] = device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, HostTensorBytes.BufferSize(v.Type));
            results = [.. built.Results.Select(r => device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_DEFAULT, HostTensorBytes.BufferSize(r.Value.Type)))];
            foreach (var (constant, value) in built.Constants)
                device.Upload(values[constant], HostTensorBytes.ToBytes(value));

            inputs = [.. graph.Inputs];
            inputBuffers = [.. inputs.Select(v => values[v])];
            var copies = built.Results.Select((r, k) => (r, k)).Where(p => p.r.CopyOf is not null).ToArray();
            copySources = [.. copies.Select(p => values[p.r.CopyOf!])];
            copyTargets = [.. copies.Select(p => results[p.k])];
            copyBytes = [.. copies.Select(p => (ulong)HostTensorBytes.ByteCount(p.r.Value.Type))];
            updateTargets = [.. graph.Updates.Select(u => values[u.Target])];
            uploadOffsets = Offsets(inputs.Select(v => v.Type), out var uploadSize);
            upload = uploadSize > 0 ? device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_UPLOAD, uploadSize) : null;
            readbackOffsets = Offsets(graph.Outputs.Select(o => o.Value.Type), out var readbackSize);
            readback = readbackSize > 0 ? device.CreateBuffer(D3D12_HEAP_TYPE.D3D12_HEAP_TYPE_READBACK, readbackSize) : null;

            // A graph whose results are all copies has no DirectML graph to compile.
            if (built.Desc->OutputCount > 0)
            {
                var graphOutputs = built.Results.Select((r, k) => (r, k)).Where(p => p.r.GraphOutputIndex >= 0).OrderBy(p => p.r.GraphOutputIndex).Select(p => results[p.k]).ToArray();
                program = new DmlGraphProgram(device, built, [.. built.Inputs.Select(v => values[v])], graphOutputs);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
        finally
        {
            // CompileGraph holds what it needs of the operators; the graph description holds no reference.
            foreach (var op in operators)
                ComInterop.Release((void*)op);
        }
    }

    /// <inheritdoc/>
    public Graph Graph { get; }

    /// <inheritdoc/>
    public void SetPersistent(string name, HostTensor value)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var v = CompiledGraphContract.Persistent(Graph, name);
        CompiledGraphContract.CheckAssignable(v, value);
        device.Upload(values[v], HostTensorBytes.ToBytes(value));
    }

    /// <inheritdoc/>
    public HostTensor GetPersistent(string name)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var v = CompiledGraphContract.Persistent(Graph, name);
        return HostTensorBytes.FromBytes(v.Type, device.Download(values[v], HostTensorBytes.ByteCount(v.Type)));
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, HostTensor> Run(IReadOnlyDictionary<string, HostTensor> feeds)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        for (var i = 0; i < inputs.Length; i++)
            upload!.Write(uploadOffsets[i], HostTensorBytes.ToBytes(CompiledGraphContract.Feed(Graph, inputs[i], feeds)));
        device.Submit(Record);

        var outputs = new Dictionary<string, HostTensor>();
        for (var k = 0; k < Graph.Outputs.Count; k++)
        {
            var type = Graph.Outputs[k].Value.Type;
            outputs[Graph.Outputs[k].Name] = HostTensorBytes.FromBytes(type, readback!.Read(readbackOffsets[k], HostTensorBytes.ByteCount(type)));
        }
        return outputs;
    }

    void Record(ID3D12GraphicsCommandList list)
    {
        const D3D12_RESOURCE_STATES Uav = D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_UNORDERED_ACCESS;
        const D3D12_RESOURCE_STATES Dest = D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_DEST;
        const D3D12_RESOURCE_STATES Source = D3D12_RESOURCE_STATES.D3D12_RESOURCE_STATE_COPY_SOURCE;

        // 1. Inputs: upload heap -> their DEFAULT buffers.
        Barriers.Transition(list, inputBuffers, Uav, Dest);
        for (var i = 0; i < inputs.Length; i++)
            list.CopyBufferRegion(inputBuffers[i].Resource, 0, upload!.Resource, uploadOffsets[i], (ulong)HostTensorBytes.ByteCount(inputs[i].Type));
        Barriers.Transition(list, inputBuffers, Dest, Uav);

        // 2. The graph (ends with a UAV barrier).
        program?.RecordDispatch(list);

        // 3. Results no node computes: copies of a graph value's buffer.
        if (copySources.Length > 0)
        {
            Barriers.Transition(list, copySources, Uav, Source);
            Barriers.Transition(list, copyTargets, Uav, Dest);
            for (var c = 0; c < copySources.Length; c++)
                list.CopyBufferRegion(copyTargets[c].Resource, 0, copySources[c].Resource, 0, copyBytes[c]);
            Barriers.Transition(list, copySources, Source, Uav);
            Barriers.Transition(list, copyTargets, Dest, Uav);
        }

        // 4. Outputs -> readback, and update values -> persistent buffers. Every result is
        // already in its own buffer, so an update cannot read a value another update overwrote.
        Barriers.Transition(list, results, Uav, Source);
        for (var k = 0; k < Graph.Outputs.Count; k++)
            list.CopyBufferRegion(readback!.Resource, readbackOffsets[k], results[k].Resource, 0, (ulong)HostTensorBytes.ByteCount(Graph.Outputs[k].Value.Type));
        Barriers.Transition(list, updateTargets, Uav, Dest);
        for (var u = 0; u < Graph.Updates.Count; u++)
            list.CopyBufferRegion(updateTargets[u].Resource, 0, results[Graph.Outputs.Count + u].Resource, 0, (ulong)HostTensorBytes.ByteCount(Graph.Updates[u].Target.Type));
        Barriers.Transition(list, updateTargets, Dest, Uav);
        Barriers.Transition(list, results, Source, Uav);
    }

    /// <summary>Offsets of packed tensors one after another, each at a 16-byte boundary.</summary>
    static ulong[] Offsets(IEnumerable<TensorType> types, out ulong total)
    {
        var offsets = new List<ulong>();
        total = 0;
        foreach (var type in types)
        {
            offsets.Add(total);
            total += (HostTensorBytes.BufferSize(type) + DmlConstants.DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT - 1) & ~(ulong)(DmlConstants.DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT - 1);
        }
        return [.. offsets];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        program?.Dispose();
        foreach (var buffer in values.Values)
            buffer.Dispose();
        foreach (var buffer in results ?? [])
            buffer.Dispose();
        upload?.Dispose();
        readback?.Dispose();
        built?.Dispose();
    }
}
