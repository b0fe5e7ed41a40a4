using System.Globalization;

namespace LlmKit.Benchmarks;

/// <summary>
/// The machine-wide CPU time counters of Linux's <c>/proc/stat</c> at one moment, so a measurement can report how much of
/// the CPU the hypervisor took (steal) and how long the CPUs waited on the disk (iowait) while it ran. A store's latency
/// moves with both on a shared virtual machine, and neither is the store's doing. All zero where <c>/proc/stat</c> does
/// not exist.
/// </summary>
internal readonly record struct HostCpuSample(long Total, long IoWait, long Steal)
{
    /// <summary>Reads the aggregate <c>cpu</c> line of <c>/proc/stat</c> (user, nice, system, idle, iowait, irq, softirq, steal).</summary>
    public static HostCpuSample Read()
    {
        if (!File.Exists("/proc/stat"))
        {
            return default;
        }

        string line = File.ReadLines("/proc/stat").First(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        long[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return new HostCpuSample(fields.Sum(), fields.Length > 4 ? fields[4] : 0, fields.Length > 7 ? fields[7] : 0);
    }

    /// <summary>The share of CPU time stolen by the hypervisor between <paramref name="start"/> and this sample, in percent.</summary>
    public double StealPercentSince(HostCpuSample start) => Percent(Steal - start.Steal, Total - start.Total);

    /// <summary>The share of CPU time spent idle waiting on the disk between <paramref name="start"/> and this sample, in percent.</summary>
    public double IoWaitPercentSince(HostCpuSample start) => Percent(IoWait - start.IoWait, Total - start.Total);

    private static double Percent(long part, long total) => total <= 0 ? 0 : 100.0 * part / total;
}
