using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests;

/// <summary>Drives a fake clock forward while a call that waits on it (backoff, Retry-After, timeouts) runs.</summary>
internal static class FakeTime
{
    /// <summary>Advances <paramref name="time"/> by <paramref name="step"/> (default 1 s) until <paramref name="task"/> ends, then returns its result.</summary>
    public static async Task<T> DriveAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan? step = null, int maxSteps = 10_000)
    {
        for (int i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            // Let continuations register their timers before the clock moves.
            await Task.Delay(1);
            if (!task.IsCompleted)
            {
                time.Advance(step ?? TimeSpan.FromSeconds(1));
            }
        }

        return await task;
    }

    /// <summary>Advances the clock while <paramref name="task"/> runs.</summary>
    public static async Task DriveAsync(FakeTimeProvider time, Task task, TimeSpan? step = null, int maxSteps = 10_000)
        => await DriveAsync(time, Wrap(task), step, maxSteps);

    private static async Task<bool> Wrap(Task task)
    {
        await task;
        return true;
    }
}
