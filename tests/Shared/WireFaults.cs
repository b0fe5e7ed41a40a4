using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Shared;

/// <summary>Helpers shared by the providers' wire-validation tests over <see cref="RawHttpServer"/>.</summary>
public static class WireFaults
{
    /// <summary>The API key every wire test uses; it must never appear in an exception.</summary>
    public const string Canary = "sk-canary-SECRET-123";

    /// <summary>Reads a whole stream; returns how many updates arrived and the exception that ended it, if any.</summary>
    public static async Task<(List<ChatResponseUpdate> Updates, Exception? Error)> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in stream)
            {
                updates.Add(update);
            }
        }
        catch (Exception ex)
        {
            return (updates, ex);
        }

        return (updates, null);
    }

    /// <summary>Asserts that the canary key (and its distinctive part) appears nowhere in the exception, its inner exceptions or its stack text.</summary>
    public static void AssertNoSecret(Exception ex)
    {
        string all = ex.ToString();
        Assert.DoesNotContain(Canary, all, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-123", all, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", all, StringComparison.Ordinal);
    }

    /// <summary>Asserts a malformed-body failure: the type, kind, retriability, provider, status and field, in the properties and the message.</summary>
    public static ProviderResponseFormatException AssertMalformed(Exception? error, string provider, string? field)
    {
        var ex = Assert.IsType<ProviderResponseFormatException>(error);
        Assert.Equal(LlmFailureKind.InvalidResponse, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal(provider, ex.Provider);
        Assert.Equal(System.Net.HttpStatusCode.OK, ex.StatusCode);
        Assert.Equal(field, ex.Field);
        Assert.Contains(provider, ex.Message, StringComparison.Ordinal);
        Assert.Contains("200", ex.Message, StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.Contains(field, ex.Message, StringComparison.Ordinal);
        }

        Assert.NotNull(ex.BodyExcerpt);
        Assert.True(ex.BodyExcerpt!.Length <= 203, "The excerpt is at most 200 characters plus an ellipsis.");
        AssertNoSecret(ex);
        return ex;
    }

    /// <summary>Asserts a cut stream: a plain <see cref="ProviderException"/> of kind Network, retryable, that says how many updates had arrived.</summary>
    public static ProviderException AssertCut(Exception? error, string provider, int updates)
    {
        var ex = Assert.IsType<ProviderException>(error);
        Assert.Equal(LlmFailureKind.Network, ex.FailureKind);
        Assert.True(ex.IsRetryable);
        Assert.Equal(provider, ex.Provider);
        Assert.Contains(updates == 0 ? "before any update" : $"after {updates} update", ex.Message, StringComparison.Ordinal);
        AssertNoSecret(ex);
        return ex;
    }

    /// <summary>Writes <paramref name="megabytes"/> MiB of 'a' without a newline after <paramref name="head"/>, stopping quietly when the client hangs up.</summary>
    public static async Task WriteHugeLineAsync(RawHttpServer.Connection connection, string head, int megabytes)
    {
        await connection.WriteAsync(head);
        var block = new byte[1024 * 1024];
        Array.Fill(block, (byte)'a');
        for (int i = 0; i < megabytes; i++)
        {
            await connection.WriteAsync(block);
        }
    }
}
