using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;

namespace Dsl.Backend.DirectML.Interop;

// DirectML.h: microsoft/DirectX-Headers include/directx/DirectML.h at commit
// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac. Slot rule as for the D3D12 interfaces (see
// ComInterop); DirectML.h is not in the Debian package, so the slots are pinned by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

[GeneratedComInterface]
[Guid("6dbd6437-96fd-423f-a98c-ae5e7c2a573f")]
internal unsafe partial interface IDMLDevice : IDMLObject
{
    void CheckFeatureSupport(DML_FEATURE feature, uint featureQueryDataSize, void* featureQueryData, uint featureSupportDataSize, void* featureSupportData);
    void CreateOperator(DML_OPERATOR_DESC* desc, Guid* riid, void** ppv);
    void CompileOperator(IDMLOperator op, DML_EXECUTION_FLAGS flags, Guid* riid, void** ppv);

    /// <summary><paramref name="operators"/> is an array of raw IDMLCompiledOperator*.</summary>
    void CreateOperatorInitializer(uint operatorCount, void** operators, Guid* riid, void** ppv);

    void CreateCommandRecorder(Guid* riid, void** ppv);
    void CreateBindingTable(DML_BINDING_TABLE_DESC* desc, Guid* riid, void** ppv);
    void Evict(uint count, void** ppObjects);
    void MakeResident(uint count, void** ppObjects);

    /// <summary>The HRESULT is the answer (why the device was lost), not a call failure.</summary>
    [PreserveSig] int GetDeviceRemovedReason();

    void GetParentDevice(Guid* riid, void** ppv);
}
