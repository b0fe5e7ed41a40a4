using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

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

        Services.AddSingleton(new ProviderRegistration(name, factory, HttpClientName: null));
        return this;
    }

    public ILlmKitBuilder AddHttpProvider(string name, string httpClientName, Func<IServiceProvider, HttpClient, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(httpClientName);
        ArgumentNullException.ThrowIfNull(factory);
        if (!_providerNames.Add(name))
        {
            throw new LlmKitConfigurationException($"A provider connection named '{name}' is already registered. Give each connection its own name.");
        }

        ProviderHttpResilience.Register(Services, httpClientName, configureClient: null);
        Services.AddSingleton(new ProviderRegistration(name, sp => factory(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName)), httpClientName));
        return this;
    }

    public ILlmKitBuilder AddHttpProviderType(string typeName, string httpClientName, Func<IServiceProvider, ProviderConnectionSettings, HttpClient, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentException.ThrowIfNullOrWhiteSpace(httpClientName);
        ArgumentNullException.ThrowIfNull(factory);
        ProviderHttpResilience.Register(Services, httpClientName, configureClient: null);
        Services.AddSingleton(new ProviderTypeRegistration(typeName, (sp, settings) => factory(sp, settings, sp.GetRequiredService<IHttpClientFactory>().CreateClient(httpClientName)), httpClientName));
        return this;
    }

    public ILlmKitBuilder AddHttpProviderType<TSettings>(string typeName, string httpClientName, Func<IServiceProvider, ProviderConnectionSettings, TSettings, HttpClient, IChatClient> factory)
        where TSettings : class, new()
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddOptions();
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<TSettings>, ProviderSettingsBinder<TSettings>>());
        return AddHttpProviderType(typeName, httpClientName, (sp, settings, http) => factory(sp, settings, ProviderSettingsBinder<TSettings>.Get(sp, settings.Name), http));
    }

    public ILlmKitBuilder AddProviderType(string typeName, Func<IServiceProvider, ProviderConnectionSettings, IChatClient> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton(new ProviderTypeRegistration(typeName, factory, HttpClientName: null));
        return this;
    }
}
