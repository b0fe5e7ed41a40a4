using Microsoft.Extensions.Time.Testing;

namespace LlmKit.Tests;

/// <summary>Drives a fake clock forward while a call that waits on it (backoff, Retry-After, timeouts) runs.</summary>
internal static class FakeTime
{
    /// <summary>
    /// Advances <paramref name="time"/> by <paramref name="step"/> (default 1 s) until <paramref name="task"/> ends, then returns its result.
    /// Between steps it pauses 1 ms of real time so that work on other threads (HTTP handlers, Polly) registers its timers
    /// before the clock moves; <paramref name="yieldOnly"/> only yields instead, for code that starts its timers synchronously
    /// (a <c>ScriptedChatClient</c>'s latency), where the real pause would cost seconds over many steps.
    /// </summary>
    public static async Task<T> DriveAsync<T>(FakeTimeProvider time, Task<T> task, TimeSpan? step = null, int maxSteps = 10_000, bool yieldOnly = false)
    {
        for (int i = 0; i < maxSteps && !task.IsCompleted; i++)
        {
            if (yieldOnly)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1);
            }

            if (!task.IsCompleted)
            {
                time.Advance(step ?? TimeSpan.FromSeconds(1));
            }
        }

        return await task;
    }

    /// <summary>Advances the clock while <paramref name="task"/> runs.</summary>
    public static async Task DriveAsync(FakeTimeProvider time, Task task, TimeSpan? step = null, int maxSteps = 10_000, bool yieldOnly = false)
        => await DriveAsync(time, Wrap(task), step, maxSteps, yieldOnly);

    private static async Task<bool> Wrap(Task task)
    {
        await task;
        return true;
    }
}
