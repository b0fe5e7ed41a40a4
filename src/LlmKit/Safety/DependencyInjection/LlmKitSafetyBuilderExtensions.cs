using LlmKit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers safety recognizers, content classifiers, audit sinks and policies on <see cref="ILlmKitBuilder"/>.</summary>
public static class LlmKitSafetyBuilderExtensions
{
    /// <summary>Adds a recognizer that the guards run after the built-in one (for example a <see cref="PatternRecognizer"/>).</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="recognizer">The recognizer.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddSafetyRecognizer(this ILlmKitBuilder builder, ISafetyRecognizer recognizer)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(recognizer);
        builder.Services.AddSingleton(recognizer);
        return builder;
    }

    /// <summary>Adds a content classifier (a moderation endpoint or an injection model) that the guards run on every guarded text.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="factory">Creates the classifier.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddContentClassifier(this ILlmKitBuilder builder, Func<IServiceProvider, IContentClassifier> factory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(factory);
        builder.Services.AddSingleton(factory);
        return builder;
    }

    /// <summary>Adds a sink that receives every guard audit event.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="sink">The sink.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ILlmKitBuilder AddGuardAuditSink(this ILlmKitBuilder builder, IGuardAuditSink sink)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(sink);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(sink));
        return builder;
    }

    /// <summary>Changes the safety settings in code after configuration is bound.</summary>
    /// <param name="builder">The LlmKit builder.</param>
    /// <param name="configure">Changes the settings.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static ILlmKitBuilder ConfigureSafety(this ILlmKitBuilder builder, Action<SafetyOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure<LlmKitOptions>(o => configure(o.Safety));
        return builder;
    }
}
