using Dsl.Operators;
using TorchSharp;
using TT = TorchSharp.torch.Tensor;

namespace Dsl.Backend.Torch.Lowering;

/// <summary>What a kernel may need beyond its inputs.</summary>
/// <param name="Device">Where the kernels run.</param>
/// <param name="ChannelsLast">Convolutions run on channels-last (NHWC-strided) float32 tensors (<see cref="TorchBackend.ChannelsLast"/>).</param>
public sealed record KernelContext(torch.Device Device, bool ChannelsLast = false);

/// <summary>Runs one op on TorchSharp tensors; must return new tensor objects (never an input itself).</summary>
public delegate TT[] Kernel(Op op, TT[] inputs, KernelContext ctx);

/// <summary>
/// The TorchSharp lowering of every op, one file per op family (<c>Lowering/Elementwise.cs</c> …).
/// Looked up by the op's record type.
/// </summary>
public static partial class KernelTable
{
    static readonly Dictionary<Type, Kernel> Kernels = Build();

    // TorchSharp 0.107 passes the native handle of temporary Scalars (e.g. the implicit alpha=1 of
    // `a + b`) without keeping the managed object alive, so the finalizer can free it mid-call
    // ("Unknown scalar type" crashes under concurrent GC). Kernels therefore never create implicit
    // Scalars: they use these rooted ones, or `using` locals that outlive the call.
    static readonly Scalar Zero = 0.0.ToScalar();
    static readonly Scalar One = 1.ToScalar();
    static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>a + b with a rooted alpha.</summary>
    static TT Plus(TT a, TT b) => a.add(b, One);

    /// <summary>a - b as a + (-1)·b (exact in IEEE arithmetic) with a rooted alpha.</summary>
    static TT Minus(TT a, TT b) => a.add(b, MinusOne);

    /// <summary>a + c for a constant c, with the Scalar kept alive across the call.</summary>
    static TT PlusConstant(TT a, double c)
    {
        using var s = c.ToScalar();
        return a.add(s, One);
    }

    /// <summary>The kernel for an op, or a clear error naming the op.</summary>
    public static Kernel For(Op op) => Kernels.TryGetValue(op.GetType(), out var k)
        ? k : throw new NotSupportedException(
            $"Backend.Torch has no kernel for op '{op.Name}' ({op.GetType().FullName}). For an op you declared, register one " +
            $"once before compiling: Dsl.Backend.Torch.Lowering.KernelTable.Register<{op.GetType().Name}>((op, inputs) => ...) returning " +
            $"a new TorchSharp tensor. For DirectML, derive the op from DecomposableOp so it is lowered as its decomposition. " +
            $"Guide: {GuideUrl}#a-user-op-with-its-own-gradient");

    /// <summary>Where the guide to user ops, kernels and lowerings lives.</summary>
    public const string GuideUrl = "https://github.com/dsl-dotnet/dsl/blob/main/docs/writing-models.md";

    /// <summary>
    /// Registers the lowering of a user-defined op (an <see cref="Op"/> declared outside Dsl). The
    /// kernel must return a new tensor, never one of its inputs.
    /// </summary>
    public static void Register<TOp>(Func<TOp, TT[], TT> kernel) where TOp : Op
    {
        lock (Kernels) Add(Kernels, kernel);
    }

    /// <summary>Op types with a lowering.</summary>
    public static IReadOnlyCollection<Type> Supported => Kernels.Keys;

    static Dictionary<Type, Kernel> Build()
    {
        var t = new Dictionary<Type, Kernel>();
        RegisterElementwise(t);
        RegisterReductions(t);
        RegisterLayout(t);
        RegisterLinearAlgebra(t);
        RegisterNormalization(t);
        RegisterBackward(t);
        RegisterAttention(t);
        RegisterConvolution(t);
        RegisterIndexing(t);
        RegisterCreation(t);
        return t;
    }

    static void Add<TOp>(Dictionary<Type, Kernel> t, Func<TOp, TT[], TT> k) where TOp : Op =>
        t[typeof(TOp)] = (op, x, _) => [k((TOp)op, x)];

    static void AddMulti<TOp>(Dictionary<Type, Kernel> t, Func<TOp, TT[], KernelContext, TT[]> k) where TOp : Op =>
        t[typeof(TOp)] = (op, x, ctx) => k((TOp)op, x, ctx);
}
