using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Tests.DirectML.ReferenceDevice;

/// <summary>
/// Where an operator description keeps its tensors, so the reference device can size and type
/// the buffers bound to graph inputs and outputs (DirectML knows its own structs). The rule of
/// DirectML.h: the input tensor pointers come first, in input order, then the output. The
/// exceptions are listed: REDUCE (a function first), JOIN (a count and an array), FILL_VALUE_*
/// (no inputs), GEMM (optional C before the output). An operator that breaks the rule needs a
/// line here.
/// </summary>
internal static unsafe class ReferenceTensorLayout
{
    /// <summary>Input <paramref name="index"/>'s buffer tensor.</summary>
    public static DML_BUFFER_TENSOR_DESC* Input(DML_OPERATOR_DESC* op, int index, int inputCount)
    {
        var fields = (DML_TENSOR_DESC**)op->Desc;
        var tensor = op->Type switch
        {
            DML_OPERATOR_REDUCE => fields[1 + index],
            DML_OPERATOR_JOIN => &((DML_JOIN_OPERATOR_DESC*)op->Desc)->InputTensors[index],
            DML_OPERATOR_FILL_VALUE_CONSTANT => throw new ReferenceDeviceException("FILL_VALUE_CONSTANT has no inputs."),
            _ => fields[index],
        };
        return Buffer(tensor, op, $"input {index}");
    }

    /// <summary>The (first) output's buffer tensor; <paramref name="inputCount"/> is the number of bound inputs.</summary>
    public static DML_BUFFER_TENSOR_DESC* Output(DML_OPERATOR_DESC* op, int inputCount)
    {
        var fields = (DML_TENSOR_DESC**)op->Desc;
        var tensor = op->Type switch
        {
            DML_OPERATOR_REDUCE => fields[2],
            DML_OPERATOR_JOIN => ((DML_JOIN_OPERATOR_DESC*)op->Desc)->OutputTensor,
            DML_OPERATOR_FILL_VALUE_CONSTANT => fields[0],
            DML_OPERATOR_GEMM => ((DML_GEMM_OPERATOR_DESC*)op->Desc)->OutputTensor,
            _ => fields[inputCount],
        };
        return Buffer(tensor, op, "the output");
    }

    static DML_BUFFER_TENSOR_DESC* Buffer(DML_TENSOR_DESC* tensor, DML_OPERATOR_DESC* op, string what)
    {
        if (tensor == null || tensor->Type != DML_TENSOR_TYPE.DML_TENSOR_TYPE_BUFFER || tensor->Desc == null)
            throw new ReferenceDeviceException($"The reference device cannot find {what} of {op->Type}: add its layout to ReferenceTensorLayout.");
        var buffer = (DML_BUFFER_TENSOR_DESC*)tensor->Desc;
        if (buffer->DimensionCount is 0 or > DmlConstants.DML_TENSOR_DIMENSION_COUNT_MAX1)
            throw new ReferenceDeviceException($"The reference device cannot find {what} of {op->Type}: add its layout to ReferenceTensorLayout.");
        return buffer;
    }

    /// <summary>Bytes per element of a data type.</summary>
    public static int ElementSize(DML_TENSOR_DATA_TYPE type) => type switch
    {
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32 => 4,
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 or DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT64 => 8,
        DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8 => 1,
        _ => throw new ReferenceDeviceException($"The reference device does not move {type} tensors."),
    };

    /// <summary>Bytes of a buffer as the interpreter's floats (one per element, exact for small integers).</summary>
    public static float[] Decode(byte* data, ulong bytes, DML_TENSOR_DATA_TYPE type)
    {
        var count = (int)(bytes / (ulong)ElementSize(type));
        var result = new float[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = type switch
            {
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32 => ((float*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32 => ((int*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32 => ((uint*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64 => ((long*)data)[i],
                DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT64 => ((ulong*)data)[i],
                _ => data[i],
            };
        }
        return result;
    }

    /// <summary>The interpreter's floats written as <paramref name="type"/> elements.</summary>
    public static void Encode(float[] values, byte* data, DML_TENSOR_DATA_TYPE type)
    {
        for (var i = 0; i < values.Length; i++)
        {
            switch (type)
            {
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32: ((float*)data)[i] = values[i]; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT32: ((int*)data)[i] = (int)values[i]; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT32: ((uint*)data)[i] = (uint)values[i]; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_INT64: ((long*)data)[i] = (long)values[i]; break;
                case DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT64: ((ulong*)data)[i] = (ulong)values[i]; break;
                default: data[i] = (byte)values[i]; break;
            }
        }
    }
}
