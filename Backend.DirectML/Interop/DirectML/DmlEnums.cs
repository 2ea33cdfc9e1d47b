namespace Dsl.Backend.DirectML.Interop;

// DirectML.h enums other than DML_OPERATOR_TYPE (own file). Source:
// microsoft/DirectX-Headers include/directx/DirectML.h at commit 443ff511fd3fe30b55d3c10c9e8d6376b0496eac.
// DirectML.h is not in the Debian package, so these are pinned as facts by
// Tests/DirectML/DirectMLFactsTests instead of being compiled against.

internal enum DML_TENSOR_DATA_TYPE
{
    DML_TENSOR_DATA_TYPE_UNKNOWN = 0,
    DML_TENSOR_DATA_TYPE_FLOAT32 = 1,
    DML_TENSOR_DATA_TYPE_FLOAT16 = 2,
    DML_TENSOR_DATA_TYPE_UINT32 = 3,
    DML_TENSOR_DATA_TYPE_UINT16 = 4,
    DML_TENSOR_DATA_TYPE_UINT8 = 5,
    DML_TENSOR_DATA_TYPE_INT32 = 6,
    DML_TENSOR_DATA_TYPE_INT16 = 7,
    DML_TENSOR_DATA_TYPE_INT8 = 8,
    DML_TENSOR_DATA_TYPE_FLOAT64 = 9,
    DML_TENSOR_DATA_TYPE_UINT64 = 10,
    DML_TENSOR_DATA_TYPE_INT64 = 11,

    // DML_FEATURE_LEVEL_6_3
    DML_TENSOR_DATA_TYPE_UINT4 = 12,
    DML_TENSOR_DATA_TYPE_INT4 = 13,
}

internal enum DML_TENSOR_TYPE
{
    DML_TENSOR_TYPE_INVALID = 0,
    DML_TENSOR_TYPE_BUFFER = 1,
}

[Flags]
internal enum DML_TENSOR_FLAGS
{
    DML_TENSOR_FLAG_NONE = 0x0,

    /// <summary>DirectML owns the data (weights baked at initialization); bound as a persistent input.</summary>
    DML_TENSOR_FLAG_OWNED_BY_DML = 0x1,
}

/// <summary>Values are 0xMm00 for level M_m, so they order like versions.</summary>
internal enum DML_FEATURE_LEVEL
{
    DML_FEATURE_LEVEL_1_0 = 0x1000,
    DML_FEATURE_LEVEL_2_0 = 0x2000,
    DML_FEATURE_LEVEL_2_1 = 0x2100,
    DML_FEATURE_LEVEL_3_0 = 0x3000,
    DML_FEATURE_LEVEL_3_1 = 0x3100,
    DML_FEATURE_LEVEL_4_0 = 0x4000,
    DML_FEATURE_LEVEL_4_1 = 0x4100,
    DML_FEATURE_LEVEL_5_0 = 0x5000,
    DML_FEATURE_LEVEL_5_1 = 0x5100,
    DML_FEATURE_LEVEL_5_2 = 0x5200,
    DML_FEATURE_LEVEL_6_0 = 0x6000,
    DML_FEATURE_LEVEL_6_1 = 0x6100,
    DML_FEATURE_LEVEL_6_2 = 0x6200,
    DML_FEATURE_LEVEL_6_3 = 0x6300,
    DML_FEATURE_LEVEL_6_4 = 0x6400,
}

internal enum DML_FEATURE
{
    DML_FEATURE_TENSOR_DATA_TYPE_SUPPORT = 0,

    // DML_FEATURE_LEVEL_2_0
    DML_FEATURE_FEATURE_LEVELS = 1,
}

[Flags]
internal enum DML_EXECUTION_FLAGS
{
    DML_EXECUTION_FLAG_NONE = 0,
    DML_EXECUTION_FLAG_ALLOW_HALF_PRECISION_COMPUTATION = 0x1,
    DML_EXECUTION_FLAG_DISABLE_META_COMMANDS = 0x2,
    DML_EXECUTION_FLAG_DESCRIPTORS_VOLATILE = 0x4,
}

[Flags]
internal enum DML_CREATE_DEVICE_FLAGS
{
    DML_CREATE_DEVICE_FLAG_NONE = 0,

    /// <summary>Needs the D3D12 debug layer (DirectML.Debug.dll on Windows).</summary>
    DML_CREATE_DEVICE_FLAG_DEBUG = 0x1,
}

internal enum DML_BINDING_TYPE
{
    DML_BINDING_TYPE_NONE = 0,
    DML_BINDING_TYPE_BUFFER = 1,
    DML_BINDING_TYPE_BUFFER_ARRAY = 2,
}

internal enum DML_GRAPH_EDGE_TYPE
{
    DML_GRAPH_EDGE_TYPE_INVALID = 0,
    DML_GRAPH_EDGE_TYPE_INPUT = 1,
    DML_GRAPH_EDGE_TYPE_OUTPUT = 2,
    DML_GRAPH_EDGE_TYPE_INTERMEDIATE = 3,
}

internal enum DML_GRAPH_NODE_TYPE
{
    DML_GRAPH_NODE_TYPE_INVALID = 0,
    DML_GRAPH_NODE_TYPE_OPERATOR = 1,

    // DML_FEATURE_LEVEL_6_2
    DML_GRAPH_NODE_TYPE_CONSTANT = 2,
}
