using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>A provider connection registered in code with <see cref="ILlmKitBuilder.AddProvider"/>.</summary>
internal sealed record ProviderRegistration(string Name, Func<IServiceProvider, IChatClient> Factory, string? HttpClientName);
