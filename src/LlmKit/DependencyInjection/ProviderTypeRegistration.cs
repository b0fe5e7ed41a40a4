using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>A provider type that configured connections can name, registered with <see cref="ILlmKitBuilder.AddProviderType"/>.</summary>
internal sealed record ProviderTypeRegistration(string TypeName, Func<IServiceProvider, ProviderConnectionSettings, IChatClient> Factory, string? HttpClientName);
