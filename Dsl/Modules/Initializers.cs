using Dsl.Execution;
namespace Dsl;

/// <summary>
/// Seeded parameter initialisers producing f32 <see cref="HostTensor"/>s. They draw from a
/// <see cref="System.Random"/> passed in (one stream for several tensors; <see cref="Initialize"/>
/// seeds it), so the same seed gives the same values on every run and machine. Fans follow PyTorch:
/// fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive field.
/// </summary>
public static class Initializers
{
    /// <summary>PyTorch's fan_in and fan_out of a weight shape (rank ≥ 2: [out, in, kernel…]).</summary>
    public static (int FanIn, int FanOut) Fans(Shape shape)
    {
        if (shape.Rank < 2)
            throw new ArgumentException($"Fan in and fan out need a weight of rank >= 2, got {shape} (initialise biases with Uniform or Zeros).");
        int receptive = 1;
        for (int d = 2; d < shape.Rank; d++) receptive *= shape[d];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>Uniform samples in [-bound, bound).</summary>
    public static HostTensor Uniform(Shape shape, double bound, Random rng)
    {
        var data = new float[checked((int)shape.Numel)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)((2 * rng.NextDouble() - 1) * bound);
        return HostTensor.F32(shape, data);
    }

    /// <summary>
    /// Glorot/Xavier uniform (torch.nn.init.xavier_uniform_): bound = gain·√(6 / (fan_in + fan_out)).
    /// </summary>
    public static HostTensor XavierUniform(Shape shape, Random rng, double gain = 1.0)
    {
        var (fanIn, fanOut) = Fans(shape);
        return Uniform(shape, gain * Math.Sqrt(6.0 / (fanIn + fanOut)), rng);
    }

    /// <summary>
    /// He/Kaiming uniform over fan_in for a (leaky) ReLU of negative slope <paramref name="a"/>
    /// (torch.nn.init.kaiming_uniform_): bound = √(2 / (1 + a²)) · √(3 / fan_in).
    /// a = 0 suits ReLU; a = √5 is PyTorch's default for <c>nn.Linear</c> weights (bound 1/√fan_in).
    /// </summary>
    public static HostTensor KaimingUniform(Shape shape, Random rng, double a = 0)
    {
        var (fanIn, _) = Fans(shape);
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        return Uniform(shape, gain * Math.Sqrt(3.0 / fanIn), rng);
    }

    /// <summary>Zeros (no randomness).</summary>
    public static HostTensor Zeros(Shape shape) => HostTensor.F32(shape, new float[checked((int)shape.Numel)]);

    /// <summary>Standard normal samples (Box–Muller) times <paramref name="std"/>.</summary>
    public static HostTensor Normal(Shape shape, double std, Random rng)
    {
        var data = new float[checked((int)shape.Numel)];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(std * StandardNormal(rng));
        return HostTensor.F32(shape, data);
    }

    /// <summary>Normal samples redrawn until within ±2·std (timm's trunc_normal_ with a=-2std, b=2std).</summary>
    public static HostTensor TruncatedNormal(Shape shape, double std, Random rng)
    {
        var data = new float[checked((int)shape.Numel)];
        for (int i = 0; i < data.Length; i++)
        {
            double z;
            do z = StandardNormal(rng); while (Math.Abs(z) > 2);
            data[i] = (float)(std * z);
        }
        return HostTensor.F32(shape, data);
    }

    static double StandardNormal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Values for one <see cref="Init"/> kind, as f32 or f64.</summary>
    public static HostTensor Create(Init init, Shape shape, Random rng, DType dtype = DType.Float32)
    {
        var f32 = init switch
        {
            Init.Zeros => Zeros(shape),
            Init.Ones => HostTensor.Filled(shape, DType.Float32, 1),
            Init.XavierUniform => XavierUniform(shape, rng),
            Init.XavierNormal => Normal(shape, Math.Sqrt(2.0 / (Fans(shape).FanIn + Fans(shape).FanOut)), rng),
            Init.KaimingUniform => KaimingUniform(shape, rng),
            Init.KaimingNormal => Normal(shape, Math.Sqrt(2.0 / Fans(shape).FanIn), rng),
            Init.TorchDefault => KaimingUniform(shape, rng, a: Math.Sqrt(5)),
            Init.Normal => Normal(shape, 0.02, rng),
            Init.TruncatedNormal => TruncatedNormal(shape, 0.02, rng),
            _ => throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown initialiser."),
        };
        return dtype switch
        {
            DType.Float32 => f32,
            DType.Float64 => HostTensor.F64(shape, ((float[])f32.Data).Select(v => (double)v).ToArray()),
            _ => throw new ArgumentException($"Parameters are floating point; cannot initialise {dtype}."),
        };
    }

    /// <summary>
    /// Initial values of every parameter and buffer of a model, drawn in registration order from
    /// one generator seeded with <paramref name="seed"/>: the same seed gives the same model.
    /// </summary>
    public static Dictionary<string, HostTensor> Initialize(Registry registry, int seed)
    {
        var rng = new Random(seed);
        var values = new Dictionary<string, HostTensor>();
        foreach (var p in registry.Parameters.Concat(registry.Buffers))
            values[p.Name] = Create(p.Init, p.Value.Shape, rng, p.Value.DType);
        return values;
    }
}
