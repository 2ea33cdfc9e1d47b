using System.Runtime.InteropServices.Marshalling;
using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// The DirectML device (IDMLDevice1): operators remember their descriptions
/// (<see cref="Reference.ReferenceOperators"/>), CompileGraph checks and keeps the graph
/// description, and dispatches run it with <see cref="Reference.DmlGraphInterpreter"/>.
/// Reports feature level 3_0 (the backend's minimum) unless told another.
/// </summary>
[GeneratedComClass]
internal sealed unsafe partial class ReferenceDmlDevice(ReferenceD3D12Device d3d12, ReferenceGpu gpu, DML_FEATURE_LEVEL featureLevel = ReferenceDmlDevice.DefaultFeatureLevel)
    : ReferenceDmlChild(null, gpu), IDMLDevice1
{
    /// <summary>The level reported unless told otherwise: the backend's minimum.</summary>
    public const DML_FEATURE_LEVEL DefaultFeatureLevel = DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_3_0;

    /// <summary>The feature level this device reports (the interpreter runs every operator the builder uses up to 5_1).</summary>
    public DML_FEATURE_LEVEL FeatureLevel { get; } = featureLevel;

    public void CheckFeatureSupport(DML_FEATURE feature, uint featureQueryDataSize, void* featureQueryData, uint featureSupportDataSize, void* featureSupportData)
    {
        switch (feature)
        {
            case DML_FEATURE.DML_FEATURE_FEATURE_LEVELS when featureSupportDataSize == sizeof(DML_FEATURE_DATA_FEATURE_LEVELS):
                {
                    var query = (DML_FEATURE_QUERY_FEATURE_LEVELS*)featureQueryData;
                    var best = (DML_FEATURE_LEVEL)0;
                    for (var i = 0; i < query->RequestedFeatureLevelCount; i++)
                    {
                        var level = query->RequestedFeatureLevels[i];
                        if (level <= FeatureLevel && level > best)
                            best = level;
                    }
                    ((DML_FEATURE_DATA_FEATURE_LEVELS*)featureSupportData)->MaxSupportedFeatureLevel = best;
                    return;
                }
            case DML_FEATURE.DML_FEATURE_TENSOR_DATA_TYPE_SUPPORT when featureSupportDataSize == sizeof(DML_FEATURE_DATA_TENSOR_DATA_TYPE_SUPPORT):
                {
                    var type = ((DML_FEATURE_QUERY_TENSOR_DATA_TYPE_SUPPORT*)featureQueryData)->DataType;
                    ((DML_FEATURE_DATA_TENSOR_DATA_TYPE_SUPPORT*)featureSupportData)->IsSupported = type is DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32
                        or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8 ? 1 : 0;
                    return;
                }
            default:
                throw Gpu.Fail($"IDMLDevice::CheckFeatureSupport: {feature} with a {featureSupportDataSize}-byte answer is not supported.");
        }
    }

    public void CreateOperator(DML_OPERATOR_DESC* desc, Guid* riid, void** ppv)
    {
        void* handle;
        try
        {
            handle = Gpu.Operators.Create(desc);
        }
        catch (ArgumentException e)
        {
            throw Gpu.Fail($"IDMLDevice::CreateOperator: {e.Message}");
        }
        ReferenceGpu.Return(new ReferenceDmlOperator(this, Gpu, handle), riid, ppv);
    }

    public void CompileOperator(IDMLOperator op, DML_EXECUTION_FLAGS flags, Guid* riid, void** ppv) =>
        throw Gpu.Fail("IDMLDevice::CompileOperator is not implemented by the reference device (the runtime compiles graphs).", ReferenceDeviceException.NotImplemented);

    public void CreateOperatorInitializer(uint operatorCount, void** operators, Guid* riid, void** ppv)
    {
        var graphs = new ReferenceCompiledGraph[operatorCount];
        for (var i = 0; i < operatorCount; i++)
            graphs[i] = Gpu.Resolve<ReferenceCompiledGraph>(operators[i], $"CreateOperatorInitializer: operator {i}");
        ReferenceGpu.Return(new ReferenceOperatorInitializer(this, Gpu, graphs), riid, ppv);
    }

    public void CreateCommandRecorder(Guid* riid, void** ppv) => ReferenceGpu.Return(new ReferenceCommandRecorder(this, Gpu), riid, ppv);

    public void CreateBindingTable(DML_BINDING_TABLE_DESC* desc, Guid* riid, void** ppv)
    {
        var table = new ReferenceBindingTable(this, Gpu);
        if (desc != null)
            table.Reset(desc);
        ReferenceGpu.Return(table, riid, ppv);
    }

    public void Evict(uint count, void** ppObjects)
    {
    }

    public void MakeResident(uint count, void** ppObjects)
    {
    }

    public int GetDeviceRemovedReason() => Gpu.Removed ? ReferenceDeviceException.DeviceRemoved : 0;

    public void GetParentDevice(Guid* riid, void** ppv) => ReferenceGpu.Return(d3d12, riid, ppv);

    public void CompileGraph(DML_GRAPH_DESC* desc, DML_EXECUTION_FLAGS flags, Guid* riid, void** ppv)
    {
        if (desc == null)
            throw Gpu.Fail("IDMLDevice1::CompileGraph: desc is null.");
        ReferenceGpu.Return(new ReferenceCompiledGraph(this, Gpu, desc, flags), riid, ppv);
    }
}
