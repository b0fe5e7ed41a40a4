using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit;

/// <summary>The <see cref="ILlmKitBuilder"/> that <c>AddLlmKit()</c> hands to its callback.</summary>
internal sealed class LlmKitBuilder(IServiceCollection services, ChatPipelineBuilder pipeline) : ILlmKitBuilder
{
    private readonly HashSet<string> _providerNames = new(StringComparer.OrdinalIgnoreCase);

    public IServiceCollection Services { get; } = services;

    public ChatPipelineBuilder Pipeline { get; } = pipeline;

    public ILlmKitBuilder AddProvider(string name, Func<IServiceProvider, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_providerNames.Add(name))
        {
            throw new LlmKitConfigurationException($"A provider connection named '{name}' is already registered. Give each connection its own name.");
        }

        Services.AddSingleton(new ProviderRegistration(name, factory));
        return this;
    }

    public ILlmKitBuilder AddProviderType(string typeName, Func<IServiceProvider, ProviderConnectionSettings, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton(new ProviderTypeRegistration(typeName, factory));
        return this;
    }
}
