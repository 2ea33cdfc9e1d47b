using Dsl.Backend.DirectML.Interop;
using static Dsl.Backend.DirectML.Interop.DML_TENSOR_DATA_TYPE;

namespace Dsl.Tests.DirectML;

/// <summary>DMLCalcBufferTensorSize: roundup((dot(sizes - 1, strides) + 1) · elementSize, 4).</summary>
public class DmlBufferTensorTests
{
    [Fact]
    public void Packed_tensors_take_the_product_of_their_sizes()
    {
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [1, 3, 224, 224]).ShouldBe(602112ul);
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_INT64, [3]).ShouldBe(24ul);
    }

    [Fact]
    public void Sizes_round_up_to_whole_dwords()
    {
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT16, [3]).ShouldBe(8ul);
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_UINT8, [5]).ShouldBe(8ul);
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_INT8, [4]).ShouldBe(4ul);
    }

    [Fact]
    public void Strides_count_up_to_the_last_element_only()
    {
        // Broadcast rows (stride 0): 3 floats.
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [2, 3], [0, 1]).ShouldBe(12ul);
        // Padded rows of 5 holding 3: last element at 1·5 + 2 = 7, so 8 floats.
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [2, 3], [5, 1]).ShouldBe(32ul);
        // Packed strides give the packed size.
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [2, 3, 4], [12, 4, 1])
            .ShouldBe(DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [2, 3, 4]));
    }

    [Fact]
    public void Types_without_a_byte_size_give_zero_like_the_C_helper()
    {
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_UNKNOWN, [4]).ShouldBe(0ul);
        DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_INT4, [4]).ShouldBe(0ul);
    }

    [Fact]
    public void Malformed_shapes_are_rejected()
    {
        Should.Throw<ArgumentException>(() => DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [2, 0]));
        Should.Throw<ArgumentException>(() => DmlBufferTensor.CalcBufferTensorSize(DML_TENSOR_DATA_TYPE_FLOAT32, [2, 3], [1]));
    }
}
