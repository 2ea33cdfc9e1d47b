using Dsl.Operators;

namespace Dsl.Operators
{
    /// <summary>Base of elementwise unary ops on floating-point tensors (output type = input type).</summary>
    public abstract record UnaryOp : Op
    {
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            RequireFloat(inputs[0]);
            return [inputs[0]];
        }
    }

    /// <summary>-x.</summary>
    public sealed record NegOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "neg";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [-c.Dy()];
    }

    /// <summary>e^x.</summary>
    public sealed record ExpOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "exp";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * c.Y()];
    }

    /// <summary>Natural logarithm.</summary>
    public sealed record LogOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "log";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() / c.X()];
    }

    /// <summary>Square root.</summary>
    public sealed record SqrtOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "sqrt";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * 0.5 / c.Y()];
    }

    /// <summary>1/sqrt(x).</summary>
    public sealed record RsqrtOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "rsqrt";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * Ops.PowScalar(c.Y(), 3) * -0.5];
    }

    /// <summary>x^p for a constant exponent p.</summary>
    public sealed record PowScalarOp(double Exponent) : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "pow";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
            [Exponent == 2 ? c.Dy() * c.X() * 2.0 : c.Dy() * Ops.PowScalar(c.X(), Exponent - 1) * Exponent];
    }

    /// <summary>|x|.</summary>
    public sealed record AbsOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "abs";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * Ops.Sign(c.X())];
    }

    /// <summary>sign(x) in {-1, 0, 1}. Not differentiable (zero almost everywhere).</summary>
    public sealed record SignOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "sign";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null];
    }

    /// <summary>max(x, 0).</summary>
    public sealed record ReluOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "relu";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.ReluGrad(c.Dy(), c.Y())];
    }

    /// <summary>
    /// ReLU's backward in one op: dy where y &gt; 0, else 0 (y: the ReLU's output; its input has the
    /// same sign). One kernel instead of a mask and a multiply.
    /// </summary>
    public sealed record ReluGradOp : Op
    {
        /// <inheritdoc/>
        public override string Name => "relu_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            RequireFloat(inputs[0], "gradient");
            RequireSameTypes(inputs, "gradient", "activation");
            return [inputs[0]];
        }
        // Linear in dy under a fixed mask; the mask is piecewise constant in y, so y gets no gradient.
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.ReluGrad(c.Dy(), c.X(1)), null];
    }

    /// <summary>Gaussian error function.</summary>
    public sealed record ErfOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "erf";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) =>
            [c.Dy() * Ops.Exp(-Ops.PowScalar(c.X(), 2)) * (2.0 / Math.Sqrt(Math.PI))];
    }

    /// <summary>GELU, exact erf form: 0.5·x·(1 + erf(x/√2)).</summary>
    public sealed record GeluOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "gelu";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [Ops.GeluGrad(c.Dy(), c.X())];
    }

    /// <summary>
    /// GELU's backward in one op: dy·(Φ(x) + x·φ(x)) (x: the GELU's input), where libtorch has one
    /// kernel (gelu_backward) for the several element-wise passes of the formula.
    /// </summary>
    public sealed record GeluGradOp : DecomposableOp
    {
        /// <inheritdoc/>
        public override string Name => "gelu_grad";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 2);
            RequireFloat(inputs[0], "gradient");
            RequireSameTypes(inputs, "gradient", "input");
            return [inputs[0]];
        }
        /// <inheritdoc/>
        public override Tensor[] Decompose(IReadOnlyList<Tensor> inputs)
        {
            Tensor dy = inputs[0], x = inputs[1];
            var cdf = (Ops.Erf(x * (1 / Math.Sqrt(2))) + 1.0) * 0.5;
            var pdf = Ops.Exp(Ops.PowScalar(x, 2) * -0.5) * (1 / Math.Sqrt(2 * Math.PI));
            return [dy * (cdf + x * pdf)];
        }
    }

    /// <summary>1/(1+e^-x).</summary>
    public sealed record SigmoidOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "sigmoid";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * c.Y() * (1.0 - c.Y())];
    }

    /// <summary>Hyperbolic tangent.</summary>
    public sealed record TanhOp : UnaryOp
    {
        /// <inheritdoc/>
        public override string Name => "tanh";
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [c.Dy() * (1.0 - Ops.PowScalar(c.Y(), 2))];
    }

    /// <summary>Identity in the forward pass, zero gradient in the backward pass.</summary>
    public sealed record StopGradientOp : Op
    {
        /// <inheritdoc/>
        public override string Name => "stop_gradient";
        /// <inheritdoc/>
        public override TensorType[] InferTypes(TensorType[] inputs)
        {
            Arity(inputs, 1);
            return [inputs[0]];
        }
        /// <inheritdoc/>
        public override Tensor?[] Vjp(VjpContext c) => [null];
    }
}

namespace Dsl
{
    public static partial class Ops
    {
        /// <summary>-x.</summary>
        [Differentiable]
        public static Tensor Neg(Tensor x) => Apply(new NegOp(), x);
        /// <summary>e^x.</summary>
        [Differentiable]
        public static Tensor Exp(Tensor x) => Apply(new ExpOp(), x);
        /// <summary>ln x.</summary>
        [Differentiable]
        public static Tensor Log(Tensor x) => Apply(new LogOp(), x);
        /// <summary>√x.</summary>
        [Differentiable]
        public static Tensor Sqrt(Tensor x) => Apply(new SqrtOp(), x);
        /// <summary>1/√x.</summary>
        [Differentiable]
        public static Tensor Rsqrt(Tensor x) => Apply(new RsqrtOp(), x);
        /// <summary>x^p for a constant exponent.</summary>
        [Differentiable]
        public static Tensor PowScalar(Tensor x, double exponent) => Apply(new PowScalarOp(exponent), x);
        /// <summary>|x|.</summary>
        [Differentiable]
        public static Tensor Abs(Tensor x) => Apply(new AbsOp(), x);
        /// <summary>sign(x) (stops the gradient).</summary>
        [NonDifferentiable]
        public static Tensor Sign(Tensor x) => Apply(new SignOp(), x);
        /// <summary>max(x, 0).</summary>
        [Differentiable]
        public static Tensor Relu(Tensor x) => Apply(new ReluOp(), x);
        /// <summary>ReLU's backward: dy where y &gt; 0, else 0 (y: the ReLU's output).</summary>
        [Differentiable]
        public static Tensor ReluGrad(Tensor dy, Tensor y) => Apply(new ReluGradOp(), dy, y);
        /// <summary>erf(x).</summary>
        [Differentiable]
        public static Tensor Erf(Tensor x) => Apply(new ErfOp(), x);
        /// <summary>GELU (exact erf form, as PyTorch's default).</summary>
        [Differentiable]
        public static Tensor Gelu(Tensor x) => Apply(new GeluOp(), x);
        /// <summary>GELU's backward: dy·GELU'(x) (x: the GELU's input).</summary>
        [Differentiable]
        public static Tensor GeluGrad(Tensor dy, Tensor x) => Apply(new GeluGradOp(), dy, x);
        /// <summary>Logistic sigmoid.</summary>
        [Differentiable]
        public static Tensor Sigmoid(Tensor x) => Apply(new SigmoidOp(), x);
        /// <summary>tanh(x).</summary>
        [Differentiable]
        public static Tensor Tanh(Tensor x) => Apply(new TanhOp(), x);
        /// <summary>Identity whose gradient is zero (detach).</summary>
        [NonDifferentiable]
        public static Tensor StopGradient(Tensor x) => Apply(new StopGradientOp(), x);
    }
}
