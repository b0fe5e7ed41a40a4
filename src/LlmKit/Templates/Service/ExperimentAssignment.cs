using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LlmKit;

/// <summary>
/// Sticky, stateless variant assignment: SHA-256 of the UTF-8 text <c>{experimentId}\n{key}</c>, its first 8
/// bytes read as a big-endian unsigned number and divided by 2^64, picks a point in [0, 1) that falls into the
/// variants' cumulative weight shares. The same key gets the same variant in every process and on every machine.
/// </summary>
internal static class ExperimentAssignment
{
    public static double Point(string experimentId, string key)
    {
        string text = experimentId + "\n" + key;
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> buffer = rented ?? stackalloc byte[512];
        try
        {
            int written = Encoding.UTF8.GetBytes(text, buffer);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(buffer[..written], hash);
            ulong value = BinaryPrimitives.ReadUInt64BigEndian(hash);
            return value / 18446744073709551616.0; // 2^64
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public static TemplateExperimentVariant Pick(TemplateExperiment experiment, string key)
    {
        double total = 0;
        foreach (var variant in experiment.Variants)
        {
            total += variant.Weight;
        }

        double target = Point(experiment.Id, key) * total;
        double cumulative = 0;
        foreach (var variant in experiment.Variants)
        {
            cumulative += variant.Weight;
            if (target < cumulative)
            {
                return variant;
            }
        }

        return experiment.Variants[^1];
    }
}
