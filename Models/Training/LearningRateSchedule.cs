namespace Dsl.Models.Training;

/// <summary>A learning rate per optimizer step, computed on the host and fed to the step graph's "lr" input.</summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for step <paramref name="step"/> (0-based).</summary>
    public abstract double At(long step);
}

/// <summary>Constant learning rate.</summary>
/// <param name="Rate">The learning rate.</param>
public sealed record ConstantSchedule(double Rate) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step) => Rate;
}

/// <summary>
/// Linear warmup to <paramref name="BaseRate"/> (reached at step WarmupSteps−1) over <paramref name="WarmupSteps"/>, then
/// half-cosine decay to <paramref name="MinRate"/> at <paramref name="TotalSteps"/> (the MAE,
/// SimCLR and Barlow Twins recipe). Steps past the end stay at the minimum.
/// </summary>
/// <param name="BaseRate">Peak learning rate.</param>
/// <param name="WarmupSteps">Steps of linear warmup.</param>
/// <param name="TotalSteps">Total steps of the run.</param>
/// <param name="MinRate">Final learning rate.</param>
public sealed record WarmupCosineSchedule(double BaseRate, long WarmupSteps, long TotalSteps, double MinRate = 0) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double At(long step)
    {
        if (TotalSteps <= 0 || WarmupSteps < 0 || WarmupSteps > TotalSteps)
            throw new InvalidOperationException($"Bad schedule: warmup {WarmupSteps} and total {TotalSteps} steps (need 0 <= warmup <= total, total > 0).");
        if (step < WarmupSteps) return BaseRate * (step + 1) / WarmupSteps;
        if (step >= TotalSteps) return MinRate;
        double progress = (double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps);
        return MinRate + (BaseRate - MinRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
