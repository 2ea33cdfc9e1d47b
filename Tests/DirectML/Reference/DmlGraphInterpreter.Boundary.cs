using Dsl.Backend.DirectML.Interop;

namespace Dsl.Tests.DirectML.Reference;

// What a device needs at the graph's ends: the tensor behind each graph input and output, and the
// conversion between a bound buffer's bytes and the interpreter's one float per element.
internal static unsafe partial class DmlGraphInterpreter
{
    /// <summary>
    /// The buffer tensor of each graph input (the largest one an edge reads it as) and of each
    /// graph output (the tensor of the node output its edge leaves), from the operators'
    /// signatures. Null where no edge touches the index; a graph input read as two data types throws.
    /// </summary>
    public static (TensorDesc?[] Inputs, TensorDesc?[] Outputs) BoundaryTensors(DML_GRAPH_DESC* graph, ReferenceOperators operators)
    {
        var signatures = new OperatorSignature[graph->NodeCount];
        for (var i = 0; i < signatures.Length; i++)
            signatures[i] = Signature(operators.Resolve(((DML_OPERATOR_GRAPH_NODE_DESC*)graph->Nodes[i].Desc)->Operator));
        var inputs = new TensorDesc?[graph->InputCount];
        for (var e = 0; e < graph->InputEdgeCount; e++)
        {
            var edge = (DML_INPUT_GRAPH_EDGE_DESC*)graph->InputEdges[e].Desc;
            Require(edge->GraphInputIndex < graph->InputCount && edge->ToNodeIndex < graph->NodeCount, $"input edge {e}: index out of range");
            var slots = signatures[edge->ToNodeIndex].Inputs;
            Require(edge->ToNodeInputIndex < slots.Length && slots[edge->ToNodeInputIndex] is not null, $"input edge {e}: node {edge->ToNodeIndex} has no input {edge->ToNodeInputIndex}");
            var tensor = slots[edge->ToNodeInputIndex]!;
            ref var known = ref inputs[edge->GraphInputIndex];
            Require(known is null || known.DataType == tensor.DataType, $"graph input {edge->GraphInputIndex} is read as {known?.DataType} and as {tensor.DataType}");
            if (known is null || tensor.TotalBytes > known.TotalBytes)
                known = tensor;
        }
        var outputs = new TensorDesc?[graph->OutputCount];
        for (var e = 0; e < graph->OutputEdgeCount; e++)
        {
            var edge = (DML_OUTPUT_GRAPH_EDGE_DESC*)graph->OutputEdges[e].Desc;
            Require(edge->GraphOutputIndex < graph->OutputCount && edge->FromNodeIndex < graph->NodeCount, $"output edge {e}: index out of range");
            Require(HasOutput(signatures[edge->FromNodeIndex], edge->FromNodeOutputIndex), $"output edge {e}: node {edge->FromNodeIndex} has no output {edge->FromNodeOutputIndex}");
            outputs[edge->GraphOutputIndex] = signatures[edge->FromNodeIndex].Outputs[edge->FromNodeOutputIndex];
        }
        return (inputs, outputs);
    }

    /// <summary>A buffer of <paramref name="type"/> elements as the interpreter's floats (see <see cref="Store"/>).</summary>
    public static float[] Decode(byte* data, ulong bytes, DML_TENSOR_DATA_TYPE type)
    {
        var result = new float[bytes / ElementSizeOf(type)];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = Store(type, type switch
            {
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 => ((float*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32 => ((int*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32 => ((uint*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 => ((long*)data)[i],
                _ => data[i],
            });
        }
        return result;
    }

    /// <summary>The interpreter's floats written as <paramref name="type"/> elements (see <see cref="Load"/>).</summary>
    public static void Encode(float[] values, byte* data, DML_TENSOR_DATA_TYPE type)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var value = Load(type, values[i]);
            switch (type)
            {
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32: ((float*)data)[i] = (float)value; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32: ((int*)data)[i] = (int)value; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32: ((uint*)data)[i] = (uint)value; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64: ((long*)data)[i] = (long)value; break;
                default: data[i] = (byte)value; break;
            }
        }
    }
}
