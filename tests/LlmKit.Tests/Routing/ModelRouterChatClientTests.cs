using LlmKit.Tests.TestDoubles;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Tests.Routing;

public class ModelRouterChatClientTests
{
    private static (ServiceProvider Provider, StubChatClient Primary, StubChatClient Secondary) Build(Action<ILlmKitBuilder>? extra = null, bool withDefault = true)
    {
        var primary = new StubChatClient("primary");
        var secondary = new StubChatClient("secondary");
        var services = new ServiceCollection();
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("p1", _ => primary).AddProvider("p2", _ => secondary);
            kit.AddModel("smart", new DeploymentOptions { Provider = "p2", Model = "big-model", Priority = 1 }, new DeploymentOptions { Provider = "p1", Model = "other-model", Priority = 5 });
            kit.AddModel("fast", "p1", "small-model");
            if (withDefault)
            {
                kit.Configure(o => o.DefaultProvider = "p1");
            }

            extra?.Invoke(kit);
        });
        return (services.BuildServiceProvider(), primary, secondary);
    }

    [Fact]
    public async Task GetResponseAsync_LogicalModel_SendsProviderModelNameToLowestPriorityDeployment()
    {
        var (sp, primary, secondary) = Build();
        var client = sp.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart", Temperature = 0.5f });

        Assert.Empty(primary.Calls);
        var call = Assert.Single(secondary.Calls);
        Assert.Equal("big-model", call.Options?.ModelId);
        Assert.Equal(0.5f, call.Options?.Temperature);
        Assert.Equal("p2", Route(response).Provider);
        Assert.Equal("p2/big-model", Route(response).Deployment.Name);
        Assert.Equal("smart", Route(response).LogicalModel);
    }

    [Fact]
    public async Task GetResponseAsync_LogicalModel_DoesNotChangeTheCallersOptions()
    {
        var (sp, _, _) = Build();
        var options = new ChatOptions { ModelId = "smart" };

        await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], options);

        Assert.Equal("smart", options.ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownModelWithDefaultProvider_SendsIdUnchangedToDefaultProvider()
    {
        var (sp, primary, _) = Build();

        await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "gpt-raw" });

        Assert.Equal("gpt-raw", Assert.Single(primary.Calls).Options?.ModelId);
    }

    [Fact]
    public async Task GetResponseAsync_UnknownModelWithoutDefaultProvider_ThrowsModelNotFoundNamingKnownModels()
    {
        var (sp, _, _) = Build(withDefault: false);

        var ex = await Assert.ThrowsAsync<ModelNotFoundException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "nope" }));

        Assert.Equal("nope", ex.ModelId);
        Assert.Contains("smart", ex.Message, StringComparison.Ordinal);
        Assert.Contains("fast", ex.Message, StringComparison.Ordinal);
        Assert.Contains("LlmKit:DefaultProvider", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetResponseAsync_NoModelAndNoDefault_ThrowsConfigurationExceptionNamingTheKey()
    {
        var (sp, _, _) = Build();

        var ex = await Assert.ThrowsAsync<LlmKitConfigurationException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        Assert.Contains("LlmKit:DefaultModel", ex.Keys);
    }

    [Fact]
    public async Task KeyedClient_LogicalModel_DefaultsCallsToThatModel()
    {
        var (sp, primary, _) = Build();
        var fast = sp.GetRequiredKeyedService<IChatClient>("fast");

        await fast.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("small-model", Assert.Single(primary.Calls).Options?.ModelId);
        Assert.Equal("fast", fast.GetService<ChatClientMetadata>()?.DefaultModelId);
        Assert.Same(fast, sp.GetRequiredKeyedService<IChatClient>("fast"));
    }

    [Fact]
    public void KeyedClient_UnservableModel_ThrowsModelNotFoundAtResolution()
    {
        var (sp, _, _) = Build(withDefault: false);

        var ex = Assert.Throws<ModelNotFoundException>(() => sp.GetRequiredKeyedService<IChatClient>("missing"));

        Assert.Equal("missing", ex.ModelId);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_LogicalModel_AnnotatesOnlyTheFirstUpdate()
    {
        var (sp, _, secondary) = Build();

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" }))
        {
            updates.Add(u);
        }

        Assert.Equal("big-model", Assert.Single(secondary.Calls).Options?.ModelId);
        Assert.Equal("p2", Route(updates[0]).Provider);
        Assert.All(updates.Skip(1), u => Assert.Null(u.AdditionalProperties));
    }

    /// <summary>Removes the stages that read routes (telemetry, metering; the budget stage is not built without budgets).</summary>
    private static void RouterOnly(ILlmKitBuilder kit)
    {
        kit.Pipeline.Remove(PipelineStageNames.Telemetry);
        kit.Pipeline.Remove(PipelineStageNames.Metering);
    }

    [Fact]
    public async Task GetResponseAsync_NoStageReadsRoutes_LeavesTheResponseWithoutProperties()
    {
        var (sp, _, secondary) = Build(RouterOnly);
        var client = sp.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" });

        Assert.Single(secondary.Calls);
        Assert.Null(response.AdditionalProperties);
        Assert.False(client.GetService<ModelRouterChatClient>()!.AnnotatesRoutes);
    }

    [Fact]
    public async Task GetResponseAsync_AnnotateRoutesWithoutRouteReadingStages_SetsTheRoute()
    {
        var (sp, _, _) = Build(kit =>
        {
            RouterOnly(kit);
            kit.Configure(o => o.AnnotateRoutes = true);
        });
        var client = sp.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" });

        Assert.True(client.GetService<ModelRouterChatClient>()!.AnnotatesRoutes);
        Assert.Equal("p2/big-model", Route(response).Deployment.Name);
        Assert.Equal("smart", Route(response).LogicalModel);
        Assert.Equal("big-model", Route(response).ProviderModel);
    }

    [Theory]
    [InlineData(PipelineStageNames.Telemetry)]
    [InlineData(PipelineStageNames.Metering)]
    public async Task GetResponseAsync_OneStageReadsRoutes_SetsTheRoute(string kept)
    {
        var (sp, _, _) = Build(kit =>
        {
            foreach (string stage in new[] { PipelineStageNames.Telemetry, PipelineStageNames.Metering })
            {
                if (stage != kept)
                {
                    kit.Pipeline.Remove(stage);
                }
            }
        });
        var client = sp.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "fast" });

        Assert.True(client.GetService<ModelRouterChatClient>()!.AnnotatesRoutes);
        Assert.Equal("p1/small-model", Route(response).Deployment.Name);
    }

    [Fact]
    public async Task GetResponseAsync_BudgetStageWithABudget_SetsTheRoute()
    {
        var (sp, _, _) = Build(kit =>
        {
            RouterOnly(kit);
            kit.Configure(o => o.Budgets["all"] = new BudgetOptions { Unit = BudgetUnit.Tokens, Limit = 1_000_000m, Period = BudgetPeriod.Month });
        });
        var client = sp.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "fast" });

        Assert.Equal("p1/small-model", Route(response).Deployment.Name);
    }

    [Fact]
    public async Task GetStreamingResponseAsync_NoStageReadsRoutes_SetsNoRouteOnAnyUpdate()
    {
        var (sp, _, secondary) = Build(RouterOnly);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" }))
        {
            updates.Add(u);
        }

        Assert.Single(secondary.Calls);
        Assert.Equal(4, updates.Count);
        Assert.All(updates, u => Assert.Null(u.AdditionalProperties));
    }

    [Fact]
    public async Task GetStreamingResponseAsync_AnnotateRoutesWithoutRouteReadingStages_SetsTheRouteOnTheFirstUpdateOnly()
    {
        var (sp, _, _) = Build(kit =>
        {
            RouterOnly(kit);
            kit.Configure(o => o.AnnotateRoutes = true);
        });

        var updates = new List<ChatResponseUpdate>();
        await foreach (var u in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" }))
        {
            updates.Add(u);
        }

        Assert.Equal("p2/big-model", Route(updates[0]).Deployment.Name);
        Assert.All(updates.Skip(1), u => Assert.Null(u.AdditionalProperties));
    }

    [Fact]
    public async Task GetResponseAsync_SuccessiveCalls_EachResponseOwnsItsPropertiesDictionary()
    {
        var (sp, _, _) = Build(kit =>
        {
            RouterOnly(kit);
            kit.Configure(o => o.AnnotateRoutes = true);
        });
        var client = sp.GetRequiredService<IChatClient>();
        var first = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" });

        // The caller changes the first response's properties, even the route entry.
        first.AdditionalProperties!["app.note"] = "mine";
        first.AdditionalProperties[LlmKitResponseProperties.Route] = "overwritten";
        var second = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "smart" });

        Assert.NotSame(first.AdditionalProperties, second.AdditionalProperties);
        Assert.Equal([LlmKitResponseProperties.Route], second.AdditionalProperties!.Keys);
        Assert.Equal("p2/big-model", Route(second).Deployment.Name);
        Assert.Equal("smart", Route(second).LogicalModel);
    }

    [Fact]
    public async Task GetResponseAsync_TwoLogicalModelsSharingADeployment_EachRouteNamesTheModelAskedFor()
    {
        var (sp, primary, _) = Build(kit =>
        {
            RouterOnly(kit);
            kit.AddModel("quick", "p1", "small-model");
            kit.Configure(o => o.AnnotateRoutes = true);
        });
        var client = sp.GetRequiredService<IChatClient>();

        var asked = new[] { "fast", "quick", "fast", "fast", "quick" };
        var routes = new List<ModelRoute>();
        foreach (string model in asked)
        {
            routes.Add(Route(await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = model })));
        }

        Assert.Equal(5, primary.Calls.Count);
        Assert.Equal(asked, routes.Select(r => r.LogicalModel));
        Assert.All(routes, r => Assert.Equal("p1/small-model", r.Deployment.Name));
    }

    [Fact]
    public void ModelRoute_CachedAcrossCalls_HasNoSettableProperties()
    {
        // The router hands one ModelRoute instance to many responses: it must not be changeable through any of them.
        foreach (var type in new[] { typeof(ModelRoute), typeof(ModelDeployment) })
        {
            foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
            {
                var setter = property.SetMethod;
                bool initOnly = setter is not null && setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit));
                Assert.True(setter is null || initOnly || !setter.IsPublic, $"{type.Name}.{property.Name} can be set after construction");
            }
        }
    }

    [Fact]
    public void GetService_ThroughPipeline_ReachesRouterAndDefaultDeploymentsProvider()
    {
        var (sp, primary, _) = Build(kit => kit.UseDefaultModel("fast"));
        var client = sp.GetRequiredService<IChatClient>();

        Assert.NotNull(client.GetService<ModelRouterChatClient>());
        Assert.NotNull(client.GetService<TelemetryChatClient>());
        Assert.Same(primary, client.GetService<StubChatClient>());
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.Equal("primary", metadata?.ProviderName);
        Assert.Equal("fast", metadata?.DefaultModelId);
    }

    [Fact]
    public async Task GetResponseAsync_NullMessages_ThrowsArgumentNullNamingMessages()
    {
        var (sp, _, _) = Build();

        var ex = await Assert.ThrowsAsync<ArgumentNullException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync(null!, new ChatOptions { ModelId = "fast" }));

        Assert.Equal("messages", ex.ParamName);
    }

    [Fact]
    public async Task Dispose_ServiceProvider_DisposesProviderClientsOnce()
    {
        var (sp, primary, secondary) = Build();
        await sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "fast" });

        await sp.DisposeAsync();

        Assert.True(primary.Disposed);
        Assert.False(secondary.Disposed); // never created, so never disposed
    }

    [Fact]
    public async Task GetStreamingResponseAsync_CancelledMidStreamThroughDefaultPipeline_LeavesNoProviderStreamRunning()
    {
        var (sp, primary, _) = Build();
        var gate = new TaskCompletionSource();
        primary.Chunks = ["one", "two", "three"];
        primary.StreamGate = (1, gate);
        using var cts = new CancellationTokenSource();
        var received = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var u in sp.GetRequiredService<IChatClient>().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "fast" }, cts.Token))
            {
                received.Add(u.Text);
                await cts.CancelAsync();
            }
        });

        Assert.Equal(["one"], received);
        Assert.Equal(0, primary.ActiveStreams);
        Assert.False(gate.Task.IsCompleted);
    }

    [Fact]
    public async Task GetResponseAsync_CancelledBeforeProviderAnswers_ThrowsOperationCanceled()
    {
        var (sp, _, _) = Build();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sp.GetRequiredService<IChatClient>().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { ModelId = "fast" }, cts.Token));
    }

    [Fact]
    public void GetService_TokenCounterForOpenAIModel_IsTheMatchingTiktokenEncoding()
    {
        var (sp, _, _) = Build(kit => kit.AddModel("gpt", "p1", "gpt-4o").UseDefaultModel("gpt"));

        var counter = sp.GetRequiredService<IChatClient>().GetService<ITokenCounter>();

        Assert.NotNull(counter);
        Assert.Equal("o200k_base", counter.Name);
        Assert.True(counter.IsExact);
    }

    [Fact]
    public void GetService_TokenCounterForUnknownFamily_IsACalibratedEstimate()
    {
        var (sp, _, _) = Build(kit => kit.UseDefaultModel("fast"));

        // 'small-model' is neither an OpenAI model nor in the registry: o200k with the default factor, marked inexact.
        var counter = Assert.IsType<CalibratedTokenCounter>(sp.GetRequiredService<IChatClient>().GetService<ITokenCounter>());
        Assert.Equal(CalibratedTokenCounter.DefaultFactor, counter.Factor);
        Assert.False(counter.IsExact);
        Assert.Null(sp.GetRequiredService<IChatClient>().GetService<ITokenizer>());
    }
}
