namespace LlmKit;

/// <summary>
/// When a failing deployment is taken out of rotation, and for how long. While it cools down the router skips it; when
/// the cooldown ends it is tried again.
/// </summary>
public sealed class DeploymentCooldownOptions
{
    /// <summary>Gets or sets a value indicating whether deployments cool down at all. Defaults to <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a deployment cools down after a 429 that gave no Retry-After, and after its failure ratio was
    /// crossed. A 429 with a Retry-After cools it down for that long instead (capped by <see cref="MaxDuration"/>).
    /// Defaults to 60 seconds.
    /// </summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets the longest cooldown, whatever a Retry-After asks. Defaults to 10 minutes.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how long a deployment cools down after an authentication failure (401, 403) or a missing model (404):
    /// these do not heal by themselves. Defaults to 5 minutes.
    /// </summary>
    public TimeSpan ConfigurationErrorDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets the share of failed calls (server errors, overloads, timeouts, network failures) within
    /// <see cref="Window"/> above which the deployment cools down. Defaults to 0.5; greater than 0, at most 1.
    /// </summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Gets or sets the number of calls within <see cref="Window"/> before the failure ratio counts. Defaults to 5.</summary>
    public int MinimumCalls { get; set; } = 5;

    /// <summary>Gets or sets the window over which the failure ratio is measured. Defaults to 60 seconds.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(60);
}
