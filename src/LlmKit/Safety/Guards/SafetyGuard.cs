using System.Collections.Frozen;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LlmKit;

/// <summary>
/// Evaluates texts against the configured guard policies: runs the built-in recognizer, the host's recognizers,
/// word lists and content classifiers, decides per finding, redacts and anonymises, and writes audit events.
/// The input and output guard stages use it; hosts and <c>llmkit scan</c> can call it directly. Thread-safe.
/// </summary>
public sealed class SafetyGuard
{
    private readonly ISafetyRecognizer[] _recognizers;
    private readonly IContentClassifier[] _classifiers;
    private readonly IGuardAuditSink[] _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger? _logger;
    private readonly byte[] _hashKey;
    private readonly double _untrustedBoost;
    private readonly GuardPolicy _appInput;
    private readonly GuardPolicy _appOutput;
    private readonly FrozenDictionary<string, (GuardPolicy Input, GuardPolicy Output)> _tenants;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="options">LlmKit's options; the guards read <see cref="LlmKitOptions.Safety"/>.</param>
    /// <param name="recognizers">The host's recognizers, run after the built-in one.</param>
    /// <param name="classifiers">Content classifiers (moderation endpoints, injection models), run on every guarded text.</param>
    /// <param name="sinks">Where audit events go.</param>
    /// <param name="timeProvider">The clock for event timestamps; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> logs nothing.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    public SafetyGuard(
        IOptions<LlmKitOptions> options,
        IEnumerable<ISafetyRecognizer> recognizers,
        IEnumerable<IContentClassifier> classifiers,
        IEnumerable<IGuardAuditSink> sinks,
        TimeProvider? timeProvider = null,
        ILogger<SafetyGuard>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(recognizers);
        ArgumentNullException.ThrowIfNull(classifiers);
        ArgumentNullException.ThrowIfNull(sinks);
        var safety = options.Value.Safety;
        var all = new List<ISafetyRecognizer> { safety.PhoneRegions.Count == 0 ? BuiltInSafetyRecognizer.Instance : new BuiltInSafetyRecognizer(safety.PhoneRegions) };
        all.AddRange(recognizers.Where(r => r is not BuiltInSafetyRecognizer));
        foreach (var (name, custom) in safety.CustomRecognizers)
        {
            all.Add(new PatternRecognizer(name, custom.Type!, custom.Pattern!, custom.Score, null, custom.ContextWords));
        }

        if (safety.WordLists.Count > 0)
        {
            all.Add(new WordListRecognizer(safety.WordLists));
        }

        _recognizers = [.. all];
        _classifiers = [.. classifiers];
        _sinks = [.. sinks];
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger;
        _hashKey = safety.AuditHashKey is { } key ? Convert.FromBase64String(key) : RandomNumberGenerator.GetBytes(32);
        _untrustedBoost = safety.UntrustedContentBoost;
        _appInput = GuardPolicy.Create(safety.Input, null);
        _appOutput = GuardPolicy.Create(safety.Output, null);
        _tenants = safety.Tenants.ToFrozenDictionary(
            t => t.Key,
            t => (GuardPolicy.Create(safety.Input, t.Value?.Input), GuardPolicy.Create(safety.Output, t.Value?.Output)),
            StringComparer.OrdinalIgnoreCase);
        IsInputGuarded = !_appInput.IsPassive || _tenants.Values.Any(p => !p.Input.IsPassive);
        IsOutputGuarded = IsInputGuarded && (_appInput.Anonymizes || _tenants.Values.Any(p => p.Input.Anonymizes))
            || !_appOutput.IsPassive || _tenants.Values.Any(p => !p.Output.IsPassive);
    }

    /// <summary>Gets whether any input policy (the app's or a tenant's) can act; when not, the input guard stage is left out of the pipeline.</summary>
    public bool IsInputGuarded { get; }

    /// <summary>Gets whether any output policy can act or any input policy anonymises; when not, the output guard stage is left out of the pipeline.</summary>
    public bool IsOutputGuarded { get; }

    /// <summary>Runs every recognizer (not the classifiers) on a text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>Every finding with its score, by start offset.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public IReadOnlyList<SafetyFinding> Analyze(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var findings = new List<SafetyFinding>();
        Recognize(text, findings);
        findings.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        return findings;
    }

    /// <summary>
    /// Evaluates a text against the policy for the direction and the context's tenant: recognizers and classifiers,
    /// a decision per finding, redaction and anonymisation. Neither audits nor throws on a block; the guard stages do.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="direction">Whether the text goes to the model or comes from it.</param>
    /// <param name="context">The request context (for the tenant); <see langword="null"/> for the app's policy.</param>
    /// <param name="surrogates">Where anonymised values go; <see langword="null"/> redacts them instead.</param>
    /// <param name="cancellationToken">Cancels the classifiers.</param>
    /// <returns>The evaluation.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public Task<GuardEvaluation> EvaluateAsync(string text, GuardDirection direction, LlmRequestContext? context = null, PiiSurrogateMap? surrogates = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return EvaluateAsync(text, direction, GetPolicy(direction, context?.TenantId), surrogates, untrusted: false, injectionSignals: true, cancellationToken);
    }

    internal GuardPolicy GetPolicy(GuardDirection direction, string? tenantId)
    {
        if (tenantId is not null && _tenants.TryGetValue(tenantId, out var tenant))
        {
            return direction == GuardDirection.Input ? tenant.Input : tenant.Output;
        }

        return direction == GuardDirection.Input ? _appInput : _appOutput;
    }

    internal async Task<GuardEvaluation> EvaluateAsync(string text, GuardDirection direction, GuardPolicy policy, PiiSurrogateMap? surrogates, bool untrusted, bool injectionSignals, CancellationToken cancellationToken)
    {
        var findings = new List<SafetyFinding>();
        if (text.Length > 0)
        {
            Recognize(text, findings);
            foreach (var classifier in _classifiers)
            {
                var found = await classifier.ClassifyAsync(text, direction, cancellationToken).ConfigureAwait(false);
                findings.AddRange(found);
            }
        }

        if (!injectionSignals || untrusted)
        {
            for (int k = findings.Count - 1; k >= 0; k--)
            {
                if (findings[k].Type == SafetyFindingTypes.PromptInjection)
                {
                    if (!injectionSignals)
                    {
                        findings.RemoveAt(k);
                    }
                    else
                    {
                        findings[k] = findings[k] with { Score = Math.Min(1, findings[k].Score + _untrustedBoost) };
                    }
                }
            }
        }

        findings.Sort(static (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        return Apply(text, findings, policy, surrogates);
    }

    /// <summary>Decides each finding and rewrites the text for redactions and anonymisations (overlapping spans: the first, longest wins).</summary>
    internal static GuardEvaluation Apply(string text, List<SafetyFinding> findings, GuardPolicy policy, PiiSurrogateMap? surrogates)
    {
        if (findings.Count == 0)
        {
            return new GuardEvaluation(text, findings, [], GuardAction.Allow);
        }

        var decisions = new List<GuardDecision>();
        var strictest = GuardAction.Allow;
        StringBuilder? sb = null;
        int copied = 0;
        foreach (var f in findings)
        {
            var action = policy.Decide(f);
            if (action == GuardAction.Allow)
            {
                continue;
            }

            int start = Math.Clamp(f.Start, 0, text.Length);
            int end = Math.Clamp(f.Start + f.Length, start, text.Length);
            decisions.Add(new GuardDecision(f, action, text));
            if (action > strictest)
            {
                strictest = action;
            }

            if (action is GuardAction.Redact or GuardAction.Anonymize && start >= copied && end > start)
            {
                sb ??= new StringBuilder(text.Length + 16);
                sb.Append(text, copied, start - copied);
                sb.Append(action == GuardAction.Anonymize && surrogates is not null
                    ? surrogates.GetOrAddSurrogate(f.Type, text[start..end])
                    : string.Concat("[", f.Type, "]"));
                copied = end;
            }
        }

        if (sb is not null)
        {
            sb.Append(text, copied, text.Length - copied);
        }

        return new GuardEvaluation(sb?.ToString() ?? text, findings, decisions, strictest);
    }

    /// <summary>Writes one audit event per decision, counts every decision, and logs blocks.</summary>
    internal async ValueTask AuditAsync(IReadOnlyList<GuardDecision> decisions, GuardAction action, GuardDirection direction, LlmRequestContext context, CancellationToken cancellationToken)
    {
        string dir = SafetyTelemetry.Name(direction);
        if (decisions.Count == 0)
        {
            SafetyTelemetry.Decisions.Add(1, new TagList { { "llmkit.guard.direction", dir }, { "llmkit.guard.finding_type", "none" }, { "llmkit.guard.action", "allow" } });
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var d in decisions)
        {
            SafetyTelemetry.Decisions.Add(1, new TagList { { "llmkit.guard.direction", dir }, { "llmkit.guard.finding_type", d.Finding.Type }, { "llmkit.guard.action", SafetyTelemetry.Name(d.Action) } });
            if (_sinks.Length == 0)
            {
                continue;
            }

            var auditEvent = new GuardAuditEvent
            {
                Timestamp = now,
                RequestId = context.RequestId,
                TenantId = context.TenantId,
                Direction = direction,
                Action = action,
                FindingType = d.Finding.Type,
                Recognizer = d.Finding.Recognizer,
                Score = d.Finding.Score,
                ValueHash = Hash(d.Value),
            };
            foreach (var sink in _sinks)
            {
                try
                {
                    await sink.WriteAsync(auditEvent, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The sink contract says sinks do not throw; one that does must not decide the call.
                    if (_logger is not null)
                    {
                        SafetyLog.SinkFailed(_logger, sink.GetType().Name, ex);
                    }
                }
            }
        }

        if (_logger is not null && _logger.IsEnabled(LogLevel.Information))
        {
            string types = string.Join(", ", decisions.Select(d => d.Finding.Type).Distinct(StringComparer.Ordinal));
            if (action == GuardAction.Block)
            {
                SafetyLog.Blocked(_logger, dir, types);
            }
            else
            {
                string actionName = SafetyTelemetry.Name(action);
                SafetyLog.Acted(_logger, dir, decisions.Count, types, actionName);
            }
        }
    }

    /// <summary>The HMAC-SHA256 (hex) of a value under the app's audit key.</summary>
    internal string Hash(ReadOnlySpan<char> value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = max > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[512];
        try
        {
            int count = Encoding.UTF8.GetBytes(value, bytes);
            Span<byte> mac = stackalloc byte[32];
            HMACSHA256.HashData(_hashKey, bytes[..count], mac);
            return Convert.ToHexStringLower(mac);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private void Recognize(string text, List<SafetyFinding> findings)
    {
        foreach (var recognizer in _recognizers)
        {
            if (recognizer is BuiltInSafetyRecognizer builtIn)
            {
                builtIn.AnalyzeSpan(text.AsSpan(), findings);
            }
            else
            {
                recognizer.Analyze(text, findings);
            }
        }

    }
}
