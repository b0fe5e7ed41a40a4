using Microsoft.Extensions.Logging.Abstractions;

namespace LlmKit.Samples.WebApi;

/// <summary>
/// Stores the admin key given in <c>LLMKIT_BOOTSTRAP_API_KEY</c> when the key store is empty, so a script can call a
/// fresh instance (and create the real keys with it). Off when the variable is unset; ignored once any key exists.
/// </summary>
public static partial class BootstrapKey
{
    public static async Task<bool> AddWhenStoreIsEmptyAsync(IServiceProvider services, string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var store = services.GetRequiredService<IApiKeyStore>();
        if ((await store.ListAsync()).Count > 0)
        {
            return false;
        }

        var issued = await new ApiKeyIssuer(store, services.GetService<TimeProvider>()).AddExistingAsync(key, new ApiKeyCreateOptions
        {
            TenantId = "bootstrap",
            Name = "LLMKIT_BOOTSTRAP_API_KEY",
            Scopes = [ApiKeyScopes.Admin],
        });
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger("LlmKit.Samples.WebApi") ?? NullLogger.Instance;
        LogAdded(logger, issued.Record.Id);
        return true;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Stored the bootstrap admin key {KeyId} from LLMKIT_BOOTSTRAP_API_KEY (the key store was empty)")]
    private static partial void LogAdded(ILogger logger, string keyId);
}
