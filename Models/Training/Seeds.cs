using System.Text;

namespace Dsl.Models.Training;

/// <summary>
/// The one rule that turns a run's seed into the seed of one purpose ("head", "probe.shuffle", ...):
/// FNV-1a (64-bit) over the purpose's UTF-8 bytes, mixed with the seed by SplitMix64's finaliser.
/// Stable across processes, machines and .NET versions, unlike <see cref="HashCode"/> or
/// <see cref="string.GetHashCode()"/>, which are salted per process.
/// </summary>
public static class Seeds
{
    const ulong FnvOffset = 0xCBF29CE484222325UL, FnvPrime = 0x100000001B3UL;

    /// <summary>The seed of <paramref name="purpose"/> in a run seeded with <paramref name="seed"/>: distinct purposes give unrelated streams.</summary>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> is empty.</exception>
    public static int Derive(long seed, string purpose)
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        ulong hash = FnvOffset;
        foreach (byte b in Encoding.UTF8.GetBytes(purpose)) hash = (hash ^ b) * FnvPrime;
        ulong z = hash ^ (ulong)seed * 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & int.MaxValue);   // non-negative, as System.Random's seed is best kept
    }
}
