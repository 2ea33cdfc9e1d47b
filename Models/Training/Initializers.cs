namespace Dsl.Models.Training;

/// <summary>
/// Seeded parameter initialisers producing f32 <see cref="HostTensor"/>s. They draw from a
/// <see cref="System.Random"/> created from a seed (or passed in, to draw several tensors from one
/// stream), so the same seed gives the same values on every run and machine. Fans follow PyTorch:
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

    /// <summary>Uniform samples in [-bound, bound) from a new generator seeded with <paramref name="seed"/>.</summary>
    public static HostTensor Uniform(Shape shape, double bound, int seed) => Uniform(shape, bound, new Random(seed));

    /// <summary>
    /// Glorot/Xavier uniform (torch.nn.init.xavier_uniform_): bound = gain·√(6 / (fan_in + fan_out)).
    /// </summary>
    public static HostTensor XavierUniform(Shape shape, Random rng, double gain = 1.0)
    {
        var (fanIn, fanOut) = Fans(shape);
        return Uniform(shape, gain * Math.Sqrt(6.0 / (fanIn + fanOut)), rng);
    }

    /// <summary>Xavier uniform from a new generator seeded with <paramref name="seed"/>.</summary>
    public static HostTensor XavierUniform(Shape shape, int seed, double gain = 1.0) => XavierUniform(shape, new Random(seed), gain);

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

    /// <summary>Kaiming uniform from a new generator seeded with <paramref name="seed"/>.</summary>
    public static HostTensor KaimingUniform(Shape shape, int seed, double a = 0) => KaimingUniform(shape, new Random(seed), a);

    /// <summary>Zeros (no randomness).</summary>
    public static HostTensor Zeros(Shape shape) => HostTensor.F32(shape, new float[checked((int)shape.Numel)]);
}
