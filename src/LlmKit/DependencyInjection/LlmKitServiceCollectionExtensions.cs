using LlmKit;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers LlmKit in a service collection.</summary>
public static class LlmKitServiceCollectionExtensions
{
    /// <summary>
    /// Registers LlmKit: its pipeline as the default <see cref="IChatClient"/>, a keyed
    /// <see cref="IChatClient"/> per logical model (<c>[FromKeyedServices("smart")] IChatClient</c>), and
    /// <see cref="LlmKitOptions"/> bound from the app's <see cref="IConfiguration"/> section <c>LlmKit</c>
    /// when one is registered, validated at start-up.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds providers, models and pipeline stages; <see langword="null"/> for none.</param>
    /// <returns>The LlmKit builder, to chain further registrations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddLlmKit(this IServiceCollection services, Action<ILlmKitBuilder>? configure = null)
        => AddLlmKitCore(services, configuration: null, configure);

    /// <summary>
    /// Registers LlmKit like <see cref="AddLlmKit(IServiceCollection, Action{ILlmKitBuilder}?)"/>, binding
    /// <see cref="LlmKitOptions"/> from the <c>LlmKit</c> section of <paramref name="configuration"/> (or
    /// from <paramref name="configuration"/> itself when it is that section).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration holding the <c>LlmKit</c> section.</param>
    /// <param name="configure">Adds providers, models and pipeline stages; <see langword="null"/> for none.</param>
    /// <returns>The LlmKit builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddLlmKit(this IServiceCollection services, IConfiguration configuration, Action<ILlmKitBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return AddLlmKitCore(services, configuration, configure);
    }

    private static LlmKitBuilder AddLlmKitCore(IServiceCollection services, IConfiguration? configuration, Action<ILlmKitBuilder>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);

        var holder = services.FirstOrDefault(d => d.ServiceType == typeof(LlmKitPipelineHolder))?.ImplementationInstance as LlmKitPipelineHolder;
        if (holder is null)
        {
            holder = new LlmKitPipelineHolder(CreateDefaultPipeline());
            services.AddSingleton(holder);
            services.AddOptions<LlmKitOptions>().ValidateOnStart();
            services.AddSingleton<IConfigureOptions<LlmKitOptions>>(sp => new LlmKitConfigurationBinder(sp, configuration));
            services.AddSingleton<IValidateOptions<LlmKitOptions>, LlmKitOptionsValidator>();
            services.AddOptions<ProviderConnectionsCheck>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<ProviderConnectionsCheck>, ProviderConnectionsCheckValidator>();
            services.TryAddSingleton(TimeProvider.System);
            services.AddSingleton<ProviderClients>();
            services.TryAddSingleton(sp => ModelRegistryFactory.Create(sp.GetRequiredService<IOptions<LlmKitOptions>>().Value));
            services.TryAddSingleton<IModelRegistry>(sp => sp.GetRequiredService<ModelRegistry>());
            services.TryAddSingleton<ICostCalculator, CostCalculator>();
            services.TryAddSingleton<IUsageLedger, InMemoryUsageLedger>();
            services.TryAddSingleton<IApiKeyStore, InMemoryApiKeyStore>();
            services.TryAddSingleton<IBudgetStore, InMemoryBudgetStore>();
            services.TryAddSingleton<IBudgetManager>(BudgetServices.CreateManager);
            services.TryAddSingleton<ITemplateStore, InMemoryTemplateStore>();
            services.TryAddSingleton<IPromptTemplateService, PromptTemplateService>();
            services.TryAddSingleton<IConversationStore>(sp => new InMemoryConversationStore(sp.GetService<TimeProvider>()));
            services.TryAddSingleton<IConversationService, ConversationService>();
            services.AddSingleton<IValidateOptions<LlmKitOptions>, ConversationOptionsValidator>();
            services.AddSingleton(sp => new DeploymentCircuits(sp.GetService<TimeProvider>() ?? TimeProvider.System));
            services.AddSingleton<IValidateOptions<LlmKitOptions>, ModelCatalogOptionsValidator>();
            services.TryAddSingleton(static sp =>
            {
                var tokenizers = new TokenCounterRegistry();
                foreach (var registration in sp.GetServices<TokenizerRegistration>())
                {
                    tokenizers.Add(registration.Pattern, registration.Counter);
                }

                return tokenizers;
            });
            services.AddSingleton<RoutingState>();
            services.TryAddSingleton(sp => sp.GetRequiredService<RoutingState>().Statistics);
            services.TryAddSingleton<SafetyGuard>();
            // The response cache's store: in memory, with any IDistributedCache the host registers as the second level.
            services.AddHybridCache();
            services.TryAddSingleton<Microsoft.Extensions.Caching.Hybrid.IHybridCacheSerializer<CachedChatEntry>, CachedChatEntrySerializer>();
            services.TryAddSingleton(static sp => new LlmResponseCache(sp.GetRequiredService<Microsoft.Extensions.Caching.Hybrid.HybridCache>(), sp.GetRequiredService<IOptions<LlmKitOptions>>()));
            services.AddSingleton<LlmKitClientFactory>();
            services.AddSingleton<IChatClient>(sp => sp.GetRequiredService<LlmKitClientFactory>().Create(null));
            services.AddKeyedSingleton<IChatClient>(KeyedService.AnyKey, static (sp, key) => key is string model
                ? sp.GetRequiredService<LlmKitClientFactory>().Create(model)
                : throw new LlmKitConfigurationException($"A keyed IChatClient from LlmKit must be keyed by a logical model name (a string), not by '{key}'."));
        }
        else if (configuration is not null)
        {
            services.AddSingleton<IConfigureOptions<LlmKitOptions>>(sp => new LlmKitConfigurationBinder(sp, configuration));
        }

        var builder = new LlmKitBuilder(services, holder.Builder);
        configure?.Invoke(builder);
        return builder;
    }

    private static Func<string?, bool> StructuredOutputSupportFor(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<LlmKitOptions>>();
        var registry = sp.GetService<IModelRegistry>();
        return model => registry is null || StructuredOutputSupport.Supports(model, options.Value, registry);
    }

    private static ChatPipelineBuilder CreateDefaultPipeline()
    {
        var pipeline = new ChatPipelineBuilder();
        pipeline.Add(PipelineStageNames.Telemetry, static (sp, inner) => new TelemetryChatClient(
            inner,
            sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.Telemetry,
            sp.GetService<ILoggerFactory>()?.CreateLogger("LlmKit.Telemetry"),
            sp.GetService<TimeProvider>()));
        // Structured output sits outside the guards, budgets and metering, so each repair round is guarded, budgeted and
        // metered as a call of its own, and it reads the answer after the output guard restored it.
        pipeline.Add(PipelineStageNames.StructuredOutput, static (sp, inner) => new StructuredOutputChatClient(
            inner,
            sp.GetService<IOptions<StructuredOutputOptions>>()?.Value ?? new StructuredOutputOptions(),
            StructuredOutputSupportFor(sp)));
        // The tool loop sits right inside structured output, so each of its model round trips passes every later stage.
        pipeline.Add(PipelineStageNames.ToolLoop, static (sp, inner) => new ToolLoopChatClient(
            inner,
            sp.GetRequiredService<IOptions<LlmKitOptions>>().Value.ToolLoop ?? new ToolLoopOptions(),
            sp.GetService<ILoggerFactory>(),
            sp,
            sp.GetService<TimeProvider>()));
        // The guards sit right inside the tool loop. The output guard is inside the input guard (it reads the input guard's
        // surrogates from the options) and outside metering, so metering records every call the provider answered, even
        // one the output guard then blocks, and the caller receives the restored text. Without a policy both pass through.
        pipeline.Add(PipelineStageNames.InputGuard, static (sp, inner) => sp.GetRequiredService<SafetyGuard>() is { IsInputGuarded: true } guard
            ? new InputGuardChatClient(inner, guard) { Refusals = new RefusalRecorder(sp.GetRequiredService<IUsageLedger>(), sp.GetService<TimeProvider>()) }
            : inner);
        // The response cache sits between the guards: it stores answers as they left the output guard and answers hits
        // without touching budgets or metering below it (it records hits in the ledger itself).
        pipeline.Add(PipelineStageNames.ResponseCache, ResponseCacheChatClient.CreateStage);
        pipeline.Add(PipelineStageNames.OutputGuard, static (sp, inner) => sp.GetRequiredService<SafetyGuard>() is { IsOutputGuarded: true } guard
            ? new OutputGuardChatClient(inner, guard)
            : inner);
        pipeline.Add(PipelineStageNames.Budget, BudgetChatClient.CreateStage);
        pipeline.Add(PipelineStageNames.Metering, static (sp, inner) => new MeteringChatClient(
            inner,
            sp.GetRequiredService<IUsageLedger>(),
            sp.GetRequiredService<ICostCalculator>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("LlmKit.Metering"),
            sp.GetService<ModelPerformanceStatistics>()));
        return pipeline;
    }
}
