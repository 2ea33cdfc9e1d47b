namespace Dsl.Backend.DirectML.Interop;

/// <summary>
/// Constants of DirectML.h (microsoft/DirectX-Headers include/directx/DirectML.h at commit
/// 443ff511fd3fe30b55d3c10c9e8d6376b0496eac); pinned by Tests/DirectML/DirectMLFactsTests.
/// </summary>
internal static class DmlConstants
{
    /// <summary>Most operators take up to this many dimensions.</summary>
    public const uint DML_TENSOR_DIMENSION_COUNT_MAX = 5;

    /// <summary>Operators that accept more (feature level 3_0 and later) take up to this many.</summary>
    public const uint DML_TENSOR_DIMENSION_COUNT_MAX1 = 8;

    /// <summary>Offset alignment of the temporary resource binding.</summary>
    public const uint DML_TEMPORARY_BUFFER_ALIGNMENT = 256;

    /// <summary>Offset alignment of the persistent resource binding.</summary>
    public const uint DML_PERSISTENT_BUFFER_ALIGNMENT = 256;

    /// <summary>Every bound tensor buffer range starts at a multiple of this.</summary>
    public const uint DML_MINIMUM_BUFFER_TENSOR_ALIGNMENT = 16;
}
