using Dsl.Backend.DirectML.Interop;
using Dsl.Operators;
using static Dsl.Backend.DirectML.Interop.DML_OPERATOR_TYPE;

namespace Dsl.Backend.DirectML.Lowering;

// Element-wise arithmetic, activations, compares and casts.
internal static unsafe partial class DmlLoweringTable
{
    static void RegisterElementwise(Dictionary<Type, DmlOpRule> t)
    {
        const string broadcast = "element-wise; broadcast by zero strides";
        Add<AddOp>(t, new(Plan(broadcast, DML_OPERATOR_ELEMENT_WISE_ADD), DmlLayout.Arithmetic, Chain(LowerBinary)));
        Add<SubOp>(t, new(Plan(broadcast, DML_OPERATOR_ELEMENT_WISE_SUBTRACT), DmlLayout.Arithmetic, Chain(LowerBinary)));
        Add<MulOp>(t, new(Plan(broadcast, DML_OPERATOR_ELEMENT_WISE_MULTIPLY), DmlLayout.Arithmetic, Chain(LowerBinary)));
        Add<DivOp>(t, new(Plan(broadcast, DML_OPERATOR_ELEMENT_WISE_DIVIDE), DmlLayout.Arithmetic, Chain(LowerBinary)));
        Add<MaximumOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_MAX), DmlLayout.Arithmetic, Chain(LowerBinary)));
        Add<MinimumOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_MIN), DmlLayout.Arithmetic, Chain(LowerBinary)));
        Add<NegOp>(t, new(Plan("identity with scale -1 (DML_SCALE_BIAS)", DML_OPERATOR_ELEMENT_WISE_IDENTITY), DmlLayout.ElementWise, Chain(LowerNeg)));
        Add<ExpOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_EXP), DmlLayout.ElementWise, Chain(LowerScaleBiasUnary)));
        Add<LogOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_LOG), DmlLayout.ElementWise, Chain(LowerScaleBiasUnary)));
        Add<SqrtOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_SQRT), DmlLayout.ElementWise, Chain(LowerScaleBiasUnary)));
        Add<AbsOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_ABS), DmlLayout.ElementWise, Chain(LowerScaleBiasUnary)));
        Add<ErfOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_ERF), DmlLayout.ElementWise, Chain(LowerScaleBiasUnary)));
        Add<TanhOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_TANH), DmlLayout.ElementWise, Chain(LowerScaleBiasUnary)));
        Add<RsqrtOp>(t, new(Plan("sqrt then reciprocal", DML_OPERATOR_ELEMENT_WISE_SQRT, DML_OPERATOR_ELEMENT_WISE_RECIP), DmlLayout.ElementWise, Chain(LowerRsqrt)));
        Add<PowScalarOp>(t, new(Plan("element-wise constant power", DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW), DmlLayout.ElementWise, Chain(LowerPowScalar)));
        Add<SignOp>(t, new(Plan("element-wise", DML_OPERATOR_ELEMENT_WISE_SIGN), DmlLayout.ElementWise, Chain(LowerActivation)));
        Add<SigmoidOp>(t, new(Plan("activation", DML_OPERATOR_ACTIVATION_SIGMOID), DmlLayout.ElementWise, Chain(LowerActivation)));
        Add<ReluOp>(t, new(Plan("activation", DML_OPERATOR_ACTIVATION_RELU), DmlLayout.ElementWise, Chain(LowerActivation)));
        Add<ReluGradOp>(t, new(Plan("activation gradient, reading y where DirectML reads the forward input (same sign)", DML_OPERATOR_ACTIVATION_RELU_GRAD),
            DmlLayout.ElementWise, (c, node) => LowerReluGrad(c.Arena, node)));
        Add<SiluOp>(t, new(Plan("x·σ(x): ACTIVATION_SIGMOID, MULTIPLY by x", DML_OPERATOR_ACTIVATION_SIGMOID, DML_OPERATOR_ELEMENT_WISE_MULTIPLY),
            DmlLayout.ElementWise, (c, node) => LowerSilu(c.Arena, node)));
        Add<GeluOp>(t, new(Upgradable("0.5·x·(1 + erf(x/√2)) below 5_1: ERF with scale 1/√2, IDENTITY with scale and bias ½, MULTIPLY by x", DML_OPERATOR_ACTIVATION_GELU,
            DML_OPERATOR_ELEMENT_WISE_ERF, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, DML_OPERATOR_ELEMENT_WISE_IDENTITY), DmlLayout.ElementWise, LowerGelu));
        Add<GreaterOp>(t, new(Plan("logical compare (uint8) then cast to the float type", DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN, DML_OPERATOR_CAST), DmlLayout.Compare, Chain(LowerCompare)));
        Add<EqualOp>(t, new(Plan("logical compare (uint8) then cast to the float type", DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS, DML_OPERATOR_CAST), DmlLayout.Compare, Chain(LowerCompare)));
        Add<WhereOp>(t, new(Plan("condition ≠ 0 as LOGICAL_EQUALS with a filled zero (UINT8), then IF selecting b where it holds, else a", DML_OPERATOR_FILL_VALUE_CONSTANT,
            DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS, DML_OPERATOR_ELEMENT_WISE_IF), DmlLayout.ElementWise, (c, node) => LowerWhere(c.Arena, node)));
        Add<CastOp>(t, new(Plan("cast", DML_OPERATOR_CAST), DmlLayout.ElementWise, Chain(LowerCast)) { Int64 = DmlInt64.Any });
    }

    /// <summary>Add, Sub, Mul, Div, Maximum, Minimum: one layout {ATensor, BTensor, OutputTensor}, broadcasting by zero strides.</summary>
    static DML_OPERATOR_DESC*[] LowerBinary(DmlNativeArena arena, Node node)
    {
        var output = node.Output;
        var binary = arena.Alloc<DML_ELEMENT_WISE_ADD_OPERATOR_DESC>();
        binary->ATensor = TensorDesc(arena, node.Inputs[0].Shape, output.Shape);
        binary->BTensor = TensorDesc(arena, node.Inputs[1].Shape, output.Shape);
        binary->OutputTensor = TensorDesc(arena, output.Shape);
        var type = node.Op switch
        {
            AddOp => DML_OPERATOR_ELEMENT_WISE_ADD,
            SubOp => DML_OPERATOR_ELEMENT_WISE_SUBTRACT,
            MulOp => DML_OPERATOR_ELEMENT_WISE_MULTIPLY,
            DivOp => DML_OPERATOR_ELEMENT_WISE_DIVIDE,
            MaximumOp => DML_OPERATOR_ELEMENT_WISE_MAX,
            _ => DML_OPERATOR_ELEMENT_WISE_MIN,
        };
        return [Op(arena, type, binary)];
    }

    /// <summary>Relu, Sigmoid, Sign: {InputTensor, OutputTensor}, no scale-bias.</summary>
    static DML_OPERATOR_DESC*[] LowerActivation(DmlNativeArena arena, Node node)
    {
        var unary = arena.Alloc<DML_ACTIVATION_RELU_OPERATOR_DESC>();
        unary->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
        unary->OutputTensor = TensorDesc(arena, node.Output.Shape);
        var type = node.Op switch
        {
            ReluOp => DML_OPERATOR_ACTIVATION_RELU,
            SigmoidOp => DML_OPERATOR_ACTIVATION_SIGMOID,
            _ => DML_OPERATOR_ELEMENT_WISE_SIGN,
        };
        return [Op(arena, type, unary)];
    }

    /// <summary>Exp, Abs, Sqrt, Log, Tanh, Erf: {InputTensor, OutputTensor, ScaleBias} without scale-bias.</summary>
    static DML_OPERATOR_DESC*[] LowerScaleBiasUnary(DmlNativeArena arena, Node node)
    {
        var type = node.Op switch
        {
            ExpOp => DML_OPERATOR_ELEMENT_WISE_EXP,
            AbsOp => DML_OPERATOR_ELEMENT_WISE_ABS,
            SqrtOp => DML_OPERATOR_ELEMENT_WISE_SQRT,
            LogOp => DML_OPERATOR_ELEMENT_WISE_LOG,
            TanhOp => DML_OPERATOR_ELEMENT_WISE_TANH,
            _ => DML_OPERATOR_ELEMENT_WISE_ERF,
        };
        return [ScaleBiasUnary(arena, type, TensorDesc(arena, node.Inputs[0].Shape), node.Output.Shape, null)];
    }

    static DML_OPERATOR_DESC*[] LowerNeg(DmlNativeArena arena, Node node)
    {
        var scaleBias = arena.Alloc<DML_SCALE_BIAS>();
        *scaleBias = new DML_SCALE_BIAS { Scale = -1f, Bias = 0f };
        return [ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, node.Inputs[0].Shape), node.Output.Shape, scaleBias)];
    }

    static DML_OPERATOR_DESC*[] LowerRsqrt(DmlNativeArena arena, Node node) =>
    [
        ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_SQRT, TensorDesc(arena, node.Inputs[0].Shape), node.Output.Shape, null),
        ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_RECIP, TensorDesc(arena, node.Output.Shape), node.Output.Shape, null),
    ];

    static DML_OPERATOR_DESC*[] LowerPowScalar(DmlNativeArena arena, Node node)
    {
        var desc = arena.Alloc<DML_ELEMENT_WISE_CONSTANT_POW_OPERATOR_DESC>();
        desc->InputTensor = TensorDesc(arena, node.Inputs[0].Shape);
        desc->OutputTensor = TensorDesc(arena, node.Output.Shape);
        desc->ScaleBias = null;
        desc->Exponent = (float)((PowScalarOp)node.Op).Exponent;
        return [Op(arena, DML_OPERATOR_ELEMENT_WISE_CONSTANT_POW, desc)];
    }

    /// <summary>ACTIVATION_RELU_GRAD, which binds (y, dy): the node's inputs (dy, y) swapped.</summary>
    static DmlLowering LowerReluGrad(DmlNativeArena arena, Node node)
    {
        var shape = node.Output.Shape;
        var grad = arena.Alloc<DML_ACTIVATION_RELU_GRAD_OPERATOR_DESC>();
        grad->InputTensor = TensorDesc(arena, shape);
        grad->InputGradientTensor = TensorDesc(arena, shape);
        grad->OutputGradientTensor = TensorDesc(arena, shape);
        return new DmlLowering([Part(Op(arena, DML_OPERATOR_ACTIVATION_RELU_GRAD, grad), DmlRead.Input(1), DmlRead.Input(0))], [new DmlRead(0, 0)]);
    }

    /// <summary>
    /// GELU, exact (erf) form: from feature level 5_1 one ACTIVATION_GELU; below it ERF with
    /// scale 1/√2, IDENTITY with scale ½ and bias ½ (the normal CDF), MULTIPLY by x.
    /// </summary>
    static DmlLowering LowerGelu(DmlLowerContext c, Node node)
    {
        var arena = c.Arena;
        var shape = node.Inputs[0].Shape;
        if (c.Has(DML_OPERATOR_ACTIVATION_GELU))
        {
            var gelu = arena.Alloc<DML_ACTIVATION_GELU_OPERATOR_DESC>();
            gelu->InputTensor = TensorDesc(arena, shape);
            gelu->OutputTensor = TensorDesc(arena, shape);
            return new DmlLowering([Part(Op(arena, DML_OPERATOR_ACTIVATION_GELU, gelu), DmlRead.Input(0))], [new DmlRead(0, 0)]);
        }
        var erfScale = arena.Alloc<DML_SCALE_BIAS>();
        *erfScale = new DML_SCALE_BIAS { Scale = (float)(1 / Math.Sqrt(2)), Bias = 0f };
        var half = arena.Alloc<DML_SCALE_BIAS>();
        *half = new DML_SCALE_BIAS { Scale = 0.5f, Bias = 0.5f };
        var erf = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_ERF, TensorDesc(arena, shape), shape, erfScale), DmlRead.Input(0));
        var cdf = Part(ScaleBiasUnary(arena, DML_OPERATOR_ELEMENT_WISE_IDENTITY, TensorDesc(arena, shape), shape, half), new DmlRead(0, 0));
        var product = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, TensorDesc(arena, shape), TensorDesc(arena, shape), Pad(shape)), DmlRead.Input(0), new DmlRead(1, 0));
        return new DmlLowering([erf, cdf, product], [new(2, 0)]);
    }

    /// <summary>SiLU: ACTIVATION_SIGMOID, then MULTIPLY by x (ACTIVATION_SWISH is not at 3_0).</summary>
    static DmlLowering LowerSilu(DmlNativeArena arena, Node node)
    {
        var shape = node.Inputs[0].Shape;
        var sigmoid = arena.Alloc<DML_ACTIVATION_RELU_OPERATOR_DESC>();
        sigmoid->InputTensor = TensorDesc(arena, shape);
        sigmoid->OutputTensor = TensorDesc(arena, shape);
        var s = Part(Op(arena, DML_OPERATOR_ACTIVATION_SIGMOID, sigmoid), DmlRead.Input(0));
        var product = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_MULTIPLY, TensorDesc(arena, shape), TensorDesc(arena, shape), Pad(shape)), DmlRead.Input(0), new DmlRead(0, 0));
        return new DmlLowering([s, product], [new DmlRead(1, 0)]);
    }

    /// <summary>Greater, Equal: the logical operators write an integer tensor, UINT8 0/1, then CAST to float32.</summary>
    static DML_OPERATOR_DESC*[] LowerCompare(DmlNativeArena arena, Node node)
    {
        var output = node.Output;
        var compare = arena.Alloc<DML_ELEMENT_WISE_LOGICAL_GREATER_THAN_OPERATOR_DESC>();
        compare->ATensor = TensorDesc(arena, node.Inputs[0].Shape, output.Shape);
        compare->BTensor = TensorDesc(arena, node.Inputs[1].Shape, output.Shape);
        compare->OutputTensor = TensorDesc(arena, Pad(output.Shape), null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
        var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
        cast->InputTensor = TensorDesc(arena, Pad(output.Shape), null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
        cast->OutputTensor = TensorDesc(arena, output.Shape);
        var type = node.Op is GreaterOp ? DML_OPERATOR_ELEMENT_WISE_LOGICAL_GREATER_THAN : DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS;
        return [Op(arena, type, compare), Op(arena, DML_OPERATOR_CAST, cast)];
    }

    /// <summary>
    /// Where: a zero FILL_VALUE_CONSTANT, LOGICAL_EQUALS of the condition with it (read with zero
    /// strides) to UINT8, IF choosing b where the condition is zero, else a (the IR's float mask:
    /// any nonzero, NaN included, selects a, as torch.where(cond != 0, a, b)). Operands broadcast by zero strides.
    /// </summary>
    static DmlLowering LowerWhere(DmlNativeArena arena, Node node)
    {
        var output = node.Output.Shape;
        var fill = arena.Alloc<DML_FILL_VALUE_CONSTANT_OPERATOR_DESC>();
        fill->OutputTensor = TensorDesc(arena, new Shape(1));
        fill->ValueDataType = DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_FLOAT32;
        fill->Value = new DML_SCALAR_UNION { Float32 = 0f };
        var zero = Part(Op(arena, DML_OPERATOR_FILL_VALUE_CONSTANT, fill));
        var isZero = Part(Binary(arena, DML_OPERATOR_ELEMENT_WISE_LOGICAL_EQUALS, TensorDesc(arena, node.Inputs[0].Shape, output), TensorDesc(arena, new Shape(1), output),
            Pad(output), DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8), DmlRead.Input(0), new DmlRead(0, 0));
        var select = arena.Alloc<DML_ELEMENT_WISE_IF_OPERATOR_DESC>();
        select->ConditionTensor = TensorDesc(arena, Pad(output), null, DML_TENSOR_DATA_TYPE.DML_TENSOR_DATA_TYPE_UINT8);
        select->ATensor = TensorDesc(arena, node.Inputs[2].Shape, output);
        select->BTensor = TensorDesc(arena, node.Inputs[1].Shape, output);
        select->OutputTensor = TensorDesc(arena, output);
        var choose = Part(Op(arena, DML_OPERATOR_ELEMENT_WISE_IF, select), new DmlRead(1, 0), DmlRead.Input(2), DmlRead.Input(1));
        return new DmlLowering([zero, isZero, choose], [new DmlRead(2, 0)]);
    }

    static DML_OPERATOR_DESC*[] LowerCast(DmlNativeArena arena, Node node)
    {
        var cast = arena.Alloc<DML_CAST_OPERATOR_DESC>();
        cast->InputTensor = TensorDesc(arena, Pad(node.Inputs[0].Shape), null, DataType(node.Inputs[0].DType));
        cast->OutputTensor = TensorDesc(arena, Pad(node.Output.Shape), null, DataType(node.Output.DType));
        return [Op(arena, DML_OPERATOR_CAST, cast)];
    }
}
