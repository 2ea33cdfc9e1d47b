using Dsl.Backend.DirectML.Interop;

namespace Dsl.Backend.DirectML.Lowering;

/// <summary>
/// The feature level that introduces each DirectML operator: DirectML.h declares the operator
/// enum in <c>DML_TARGET_VERSION</c> blocks, each starting at the first value listed here
/// (microsoft/DirectX-Headers at 443ff511, see <see cref="DML_OPERATOR_TYPE"/>).
/// </summary>
internal static class DmlOperatorLevels
{
    static readonly (int FirstValue, DML_FEATURE_LEVEL Level)[] Blocks =
    [
        (1, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_1_0),
        (79, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_2_0),
        (97, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_2_1),
        (121, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_3_0),
        (141, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_3_1),
        (147, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_4_0),
        (150, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_4_1),
        (153, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_5_0),
        (157, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_5_1),
        (164, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_6_1),
        (165, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_6_2),
        (171, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_6_3),
        (175, DML_FEATURE_LEVEL.DML_FEATURE_LEVEL_6_4),
    ];

    /// <summary>The first feature level at which <paramref name="op"/> exists.</summary>
    public static DML_FEATURE_LEVEL IntroducedAt(DML_OPERATOR_TYPE op)
    {
        if (op == DML_OPERATOR_TYPE.DML_OPERATOR_INVALID) throw new ArgumentException("DML_OPERATOR_INVALID is not an operator.", nameof(op));
        return Blocks.Last(b => (int)op >= b.FirstValue).Level;
    }
}
