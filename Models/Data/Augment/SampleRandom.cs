namespace Dsl.Models.Data.Augment;

/// <summary>
/// A small seeded generator (xoshiro256**, seeded by SplitMix64) whose stream is a pure function of
/// (seed, epoch, sample index, view), so augmentations do not depend on thread scheduling or on the
/// order in which samples are processed.
/// </summary>
public sealed class SampleRandom
{
    ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator for one sample of one epoch and one view.</summary>
    public SampleRandom(long seed, int epoch = 0, long index = 0, int view = 0)
    {
        ulong x = (ulong)seed;
        x = Mix(x ^ 0x9E3779B97F4A7C15UL * (ulong)(uint)epoch + 0x632BE59BD9B4E019UL);
        x = Mix(x ^ (ulong)index * 0xD6E8FEB86659FD93UL);
        x = Mix(x ^ (ulong)(uint)view * 0xA0761D6478BD642FUL + 1);
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    static ulong SplitMix(ref ulong x) => Mix(x += 0x9E3779B97F4A7C15UL);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A double uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A double uniform in [<paramref name="min"/>, <paramref name="max"/>).</summary>
    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>An integer uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)((NextUInt64() >> 32) * (ulong)maxExclusive >> 32);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p) => p >= 1 || (p > 0 && NextDouble() < p);

    /// <summary>Shuffles <paramref name="values"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
