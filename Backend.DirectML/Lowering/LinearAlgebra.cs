using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

internal static unsafe partial class DmlLoweringTable
{
    static void RegisterLinearAlgebra(Dictionary<Type, DmlOpRule> t) =>
        Add<MatMulOp>(t, new(Plan("GEMM on 4-D tensors, batch dimensions leading, broadcast ones by zero strides ([B,T,D]@[D,E]: B folded into the rows); transposes as flags", DML_OPERATOR_GEMM),
            DmlLayout.MatMul, Chain((arena, node) => [LowerMatMul(arena, node, (MatMulOp)node.Op)])));

    /// <summary>
    /// MatMul as one GEMM on 4-D tensors: [batch…, rows, columns], batch dimensions leading (at
    /// most 2 after the rank policy), a side the IR broadcasts read with zero strides; transposes
    /// are GEMM's flags. A batched left side times a plain matrix ([B, T, D] @ [D, E], no
    /// transpose of the left) is one [B·T, D] @ [D, E] product over the same packed buffers.
    /// </summary>
    static DML_OPERATOR_DESC* LowerMatMul(DmlNativeArena arena, Node node, MatMulOp m)
    {
        Shape a = node.Inputs[0].Shape, b = node.Inputs[1].Shape, o = node.Output.Shape;
        var gemm = arena.Alloc<DML_GEMM_OPERATOR_DESC>();
        if (b.Rank == 2 && a.Rank > 2 && !m.TransposeA)
        {
            var rows = a.Numel / a[-1];
            gemm->ATensor = TensorDesc(arena, new Shape(checked((int)rows), a[-1]));
            gemm->BTensor = TensorDesc(arena, b);
            gemm->OutputTensor = TensorDesc(arena, new Shape(checked((int)rows), o[-1]));
        }
        else
        {
            var batch = o.Take(o.Rank - 2).ToArray();
            gemm->ATensor = TensorDesc(arena, a, new Shape([.. batch, a[-2], a[-1]]));
            gemm->BTensor = TensorDesc(arena, b, new Shape([.. batch, b[-2], b[-1]]));
            gemm->OutputTensor = TensorDesc(arena, o);
        }
        gemm->CTensor = null;
        gemm->TransA = m.TransposeA ? DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE : DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_NONE;
        gemm->TransB = m.TransposeB ? DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_TRANSPOSE : DML_MATRIX_TRANSFORM.DML_MATRIX_TRANSFORM_NONE;
        gemm->Alpha = 1f;
        gemm->Beta = 0f;
        gemm->FusedActivation = null;
        return Op(arena, DML_OPERATOR_GEMM, gemm);
    }
}
