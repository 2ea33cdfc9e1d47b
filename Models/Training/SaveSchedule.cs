using System.Globalization;

namespace Dsl.Models.Training;

/// <summary>
/// When a run writes a checkpoint: every <see cref="EverySteps"/> steps (counted from step 0, so resumed runs
/// save at the same steps), and/or once <see cref="Every"/> has passed since the last save; null disables that rule.
/// </summary>
/// <param name="EverySteps">Save when the number of steps taken is a multiple of this.</param>
/// <param name="Every">Save when this much time has passed since the last save (or the start).</param>
public sealed record SaveSchedule(long? EverySteps, TimeSpan? Every)
{
    /// <summary>The default: every epoch, and at least every 10 minutes.</summary>
    public static SaveSchedule Default(long stepsPerEpoch) => new(stepsPerEpoch, TimeSpan.FromMinutes(10));

    /// <summary>Whether to save after <paramref name="stepsTaken"/> steps, <paramref name="sinceLastSave"/> after the last save.</summary>
    public bool Due(long stepsTaken, TimeSpan sinceLastSave) =>
        (EverySteps is { } n && stepsTaken % n == 0) || (Every is { } t && sinceLastSave >= t);

    /// <summary>
    /// Reads <c>--save-every</c>: a number of steps ("500") or a duration in seconds, minutes or hours ("90s",
    /// "10m", "1h"); null or empty gives <see cref="Default"/>.
    /// </summary>
    /// <exception cref="FormatException">Anything else, with the accepted forms.</exception>
    public static SaveSchedule Parse(string? text, long stepsPerEpoch)
    {
        if (string.IsNullOrWhiteSpace(text)) return Default(stepsPerEpoch);
        text = text.Trim();
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long steps) && steps > 0) return new(steps, null);
        double? seconds = text[^1] switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => null };
        if (seconds is double unit && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double amount) && amount > 0 && double.IsFinite(amount))
            return new(null, TimeSpan.FromSeconds(amount * unit));
        throw new FormatException($"--save-every {text} is neither a positive number of steps (e.g. 500) nor a duration (e.g. 90s, 10m, 1h).");
    }
}
