namespace Dsl.Backend.DirectML.Interop;

// DirectML.h graph descriptions (DML_TARGET_VERSION >= 0x2100, i.e. feature level 2_1);
// source in DmlEnums.cs; layouts pinned by Tests/DirectML/DirectMLFactsTests.
// Name fields are optional UTF-8 (const char*) strings used in DirectML's error messages.

internal unsafe struct DML_GRAPH_EDGE_DESC
{
    public DML_GRAPH_EDGE_TYPE Type;

    /// <summary>A DML_INPUT/OUTPUT/INTERMEDIATE_GRAPH_EDGE_DESC* matching <see cref="Type"/>.</summary>
    public void* Desc;
}

internal unsafe struct DML_INPUT_GRAPH_EDGE_DESC
{
    public uint GraphInputIndex;
    public uint ToNodeIndex;
    public uint ToNodeInputIndex;
    public byte* Name;
}

internal unsafe struct DML_OUTPUT_GRAPH_EDGE_DESC
{
    public uint FromNodeIndex;
    public uint FromNodeOutputIndex;
    public uint GraphOutputIndex;
    public byte* Name;
}

internal unsafe struct DML_INTERMEDIATE_GRAPH_EDGE_DESC
{
    public uint FromNodeIndex;
    public uint FromNodeOutputIndex;
    public uint ToNodeIndex;
    public uint ToNodeInputIndex;
    public byte* Name;
}

internal unsafe struct DML_GRAPH_NODE_DESC
{
    public DML_GRAPH_NODE_TYPE Type;

    /// <summary>A DML_OPERATOR_GRAPH_NODE_DESC* for DML_GRAPH_NODE_TYPE_OPERATOR.</summary>
    public void* Desc;
}

internal unsafe struct DML_OPERATOR_GRAPH_NODE_DESC
{
    /// <summary>A raw IDMLOperator*; the graph does not take a reference.</summary>
    public void* Operator;

    public byte* Name;
}

internal unsafe struct DML_GRAPH_DESC
{
    public uint InputCount;
    public uint OutputCount;
    public uint NodeCount;
    public DML_GRAPH_NODE_DESC* Nodes;
    public uint InputEdgeCount;
    public DML_GRAPH_EDGE_DESC* InputEdges;
    public uint OutputEdgeCount;
    public DML_GRAPH_EDGE_DESC* OutputEdges;
    public uint IntermediateEdgeCount;
    public DML_GRAPH_EDGE_DESC* IntermediateEdges;
}
