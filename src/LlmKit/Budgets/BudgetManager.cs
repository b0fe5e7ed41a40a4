using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmKit;

/// <summary>
/// The default <see cref="IBudgetManager"/>: admits calls against every budget that covers them (by the request
/// context's tenant, user, API key, conversation and extra scopes, and by the model), over any number of windows at
/// once, on an <see cref="IBudgetStore"/>.
/// </summary>
/// <remarks>
/// <para>Admission is all-or-nothing: the call's estimate is reserved in each budget's current window in turn, and
/// when one has no room the reservations already made are released. Each reservation is atomic in the store, so
/// however many calls run at once, a window's spend exceeds its limit only by what calls spent beyond their
/// reservations.</para>
/// <para>A USD budget cannot price a call whose model has no price: by default it refuses it
/// (<see cref="BudgetUnknownPriceAction.Reject"/>); with <see cref="BudgetUnknownPriceAction.Skip"/> such calls
/// count only against token budgets.</para>
/// <para>Alerts: when settled spend reaches a threshold of a window, <see cref="AlertRaised"/> and every
/// <see cref="IBudgetAlertHandler"/> run once for that budget, scope, window and threshold (once per period for a
/// rolling budget). The 100 % alert also fires when a call is refused or degraded for lack of room.</para>
/// </remarks>
public sealed partial class BudgetManager : IBudgetManager
{
    private readonly BudgetRuntime[] _budgets;
    private readonly Dictionary<string, BudgetRuntime> _byId;
    private readonly IBudgetStore _store;
    private readonly TimeProvider _time;
    private readonly IBudgetAlertHandler[] _handlers;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="budgets">The budgets; validated here.</param>
    /// <param name="store">Where the counters live.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> uses <see cref="TimeProvider.System"/>.</param>
    /// <param name="alertHandlers">Handlers called for each alert besides <see cref="AlertRaised"/>; <see langword="null"/> for none.</param>
    /// <param name="logger">Where refusals, degrades, alerts and handler failures are logged; <see langword="null"/> logs nothing.</param>
    /// <exception cref="LlmKitConfigurationException">A budget is invalid (the message names each problem by its <c>LlmKit:Budgets</c> key) or two budgets share an id.</exception>
    public BudgetManager(IEnumerable<BudgetDefinition> budgets, IBudgetStore store, TimeProvider? timeProvider = null, IEnumerable<IBudgetAlertHandler>? alertHandlers = null, ILogger<BudgetManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(budgets);
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _handlers = alertHandlers?.ToArray() ?? [];
        _logger = (ILogger?)logger ?? NullLogger.Instance;

        var problems = new List<string>();
        var keys = new List<string>();
        var runtimes = new List<BudgetRuntime>();
        _byId = new Dictionary<string, BudgetRuntime>(StringComparer.Ordinal);
        foreach (var budget in budgets)
        {
            ArgumentNullException.ThrowIfNull(budget, nameof(budgets));
            BudgetValidation.Validate(budget, (k, m) => { keys.Add(k); problems.Add($"'{k}': {m}"); });
            _ = BudgetValidation.TryFindZone(budget.TimeZoneId, out var zone);
            var runtime = new BudgetRuntime(budget, zone);
            if (!string.IsNullOrWhiteSpace(budget.Id) && !_byId.TryAdd(budget.Id, runtime))
            {
                keys.Add("LlmKit:Budgets:" + budget.Id);
                problems.Add($"'LlmKit:Budgets:{budget.Id}': two budgets have this id; give each its own.");
            }

            runtimes.Add(runtime);
        }

        if (problems.Count > 0)
        {
            throw new LlmKitConfigurationException("LlmKit budgets are invalid: " + string.Join(" ", problems), keys);
        }

        _budgets = [.. runtimes];
    }

    /// <inheritdoc/>
    public event EventHandler<BudgetAlert>? AlertRaised;

    /// <summary>Gets the budgets, in the order they were defined.</summary>
    public IReadOnlyList<BudgetDefinition> Budgets => Array.ConvertAll(_budgets, b => b.Definition);

    /// <summary>Gets a value indicating whether any budget is defined; without one the pipeline leaves the budget stage out.</summary>
    public bool HasBudgets => _budgets.Length > 0;

    /// <inheritdoc/>
    public async ValueTask<BudgetReservation> ReserveAsync(BudgetAdmissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.RequestId);
        ArgumentNullException.ThrowIfNull(request.Context);
        ArgumentOutOfRangeException.ThrowIfNegative(request.EstimatedTokens);
        var now = _time.GetUtcNow();
        var context = request.Context;
        var extras = context.BudgetScopes;
        BudgetWindowKey[]? held = null;
        int count = 0;
        bool usdHeld = false, tokensHeld = false;
        for (int i = 0; i < _budgets.Length; i++)
        {
            var budget = _budgets[i];
            bool hasDerived = TryDerivedScope(budget.Definition.Scope.Kind, context, request.Model, out var derived) && budget.Covers(derived);
            for (int s = hasDerived ? -1 : 0; s < extras.Count; s++)
            {
                var scope = s < 0 ? derived : extras[s];
                if (s >= 0 && (!budget.Covers(scope) || IsDuplicate(scope, hasDerived, derived, extras, s)))
                {
                    continue;
                }

                decimal amount;
                if (budget.IsUsd)
                {
                    if (request.EstimatedUsd is not { } estimate)
                    {
                        if (budget.Definition.OnUnknownPrice == BudgetUnknownPriceAction.Skip)
                        {
                            continue;
                        }

                        return await RefuseAsync(request, held, count, budget, scope, budget.KeyAt(scope, now), null, now, cancellationToken).ConfigureAwait(false);
                    }

                    amount = estimate;
                }
                else
                {
                    amount = request.EstimatedTokens;
                }

                var key = budget.KeyAt(scope, now);
                if (!await _store.TryReserveAsync(key, request.RequestId, amount, budget.Definition.Limit, now, cancellationToken).ConfigureAwait(false))
                {
                    return await RefuseAsync(request, held, count, budget, scope, key, amount, now, cancellationToken).ConfigureAwait(false);
                }

                held ??= new BudgetWindowKey[(_budgets.Length - i) * (extras.Count + 1)];
                if (count == held.Length)
                {
                    Array.Resize(ref held, held.Length * 2);
                }

                held[count++] = key;
                usdHeld |= budget.IsUsd;
                tokensHeld |= !budget.IsUsd;
            }
        }

        if (held is null)
        {
            return new BudgetReservation { Id = request.RequestId };
        }

        if (count < held.Length)
        {
            Array.Resize(ref held, count);
        }

        return new BudgetReservation
        {
            Id = request.RequestId,
            ReservedUsd = usdHeld ? request.EstimatedUsd ?? 0m : 0m,
            ReservedTokens = tokensHeld ? request.EstimatedTokens : 0,
            Windows = held,
            BudgetIds = IdsOf(held),
        };
    }

    /// <inheritdoc/>
    public async ValueTask SettleAsync(BudgetReservation reservation, decimal? actualUsd, long actualTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        ArgumentOutOfRangeException.ThrowIfNegative(actualTokens);
        if (actualUsd is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(actualUsd), actualUsd, "The actual cost cannot be negative.");
        }

        var windows = reservation.Windows;
        if (windows.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        for (int i = 0; i < windows.Count; i++)
        {
            var key = windows[i];
            if (!_byId.TryGetValue(key.BudgetId, out var budget))
            {
                continue;
            }

            decimal actual = budget.IsUsd ? actualUsd ?? reservation.ReservedUsd : actualTokens;
            decimal spent = await _store.SettleAsync(key, reservation.Id, actual, now, cancellationToken).ConfigureAwait(false);
            var thresholds = budget.Thresholds;
            if (thresholds.Length > 0 && spent >= thresholds[0] * budget.Definition.Limit)
            {
                await RaiseCrossedAsync(budget, key.Scope, spent, now, exhausted: false, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseAsync(BudgetReservation reservation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        var windows = reservation.Windows;
        if (windows.Count == 0)
        {
            return;
        }

        var now = _time.GetUtcNow();
        for (int i = 0; i < windows.Count; i++)
        {
            await _store.SettleAsync(windows[i], reservation.Id, 0m, now, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<BudgetStatus>> GetStatusAsync(LlmRequestContext context, string? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = _time.GetUtcNow();
        var result = new List<BudgetStatus>();
        var extras = context.BudgetScopes;
        foreach (var budget in _budgets)
        {
            var kind = budget.Definition.Scope.Kind;
            string? scopeModel = kind == BudgetScopeKind.Model && model is null && !budget.IsWildcard ? budget.Definition.Scope.Value : model;
            bool hasDerived = TryDerivedScope(kind, context, scopeModel ?? string.Empty, out var derived) && budget.Covers(derived);
            for (int s = hasDerived ? -1 : 0; s < extras.Count; s++)
            {
                var scope = s < 0 ? derived : extras[s];
                if (s >= 0 && (!budget.Covers(scope) || IsDuplicate(scope, hasDerived, derived, extras, s)))
                {
                    continue;
                }

                var usage = await _store.GetAsync(budget.KeyAt(scope, now), now, cancellationToken).ConfigureAwait(false);
                var (start, end) = budget.WindowAt(now);
                result.Add(new BudgetStatus
                {
                    Budget = budget.Definition,
                    Scope = scope,
                    WindowStart = start,
                    WindowEnd = budget.RollingPeriod > TimeSpan.Zero ? usage.NextRollOff : end,
                    Spent = usage.Spent,
                    Reserved = usage.Reserved,
                });
            }
        }

        return result;
    }

    /// <summary>Returns whether any budget covers a call with this context and model (when none does, the call needs no estimate).</summary>
    /// <param name="context">The call's request context.</param>
    /// <param name="model">The logical model or model id the call asks for.</param>
    /// <returns><see langword="true"/> when at least one budget applies to the call.</returns>
    public bool AppliesTo(LlmRequestContext context, string model)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(model);
        var extras = context.BudgetScopes;
        foreach (var budget in _budgets)
        {
            if (TryDerivedScope(budget.Definition.Scope.Kind, context, model, out var derived) && budget.Covers(derived))
            {
                return true;
            }

            for (int s = 0; s < extras.Count; s++)
            {
                if (budget.Covers(extras[s]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The scope of the call a budget of <paramref name="kind"/> is counted over, from the context and model.</summary>
    private static bool TryDerivedScope(BudgetScopeKind kind, LlmRequestContext context, string model, out BudgetScope scope)
    {
        string? value = kind switch
        {
            BudgetScopeKind.Global => string.Empty,
            BudgetScopeKind.Tenant => context.TenantId,
            BudgetScopeKind.User => context.UserId,
            BudgetScopeKind.ApiKey => context.ApiKeyId,
            BudgetScopeKind.Model => string.IsNullOrEmpty(model) ? null : model,
            BudgetScopeKind.Conversation => context.ConversationId,
            _ => null,
        };
        scope = value is null ? default : kind == BudgetScopeKind.Global ? BudgetScope.Global : new BudgetScope(kind, value);
        return value is not null;
    }

    /// <summary>Whether an extra scope repeats the derived scope or an earlier extra scope (each is charged once).</summary>
    private static bool IsDuplicate(BudgetScope scope, bool hasDerived, BudgetScope derived, IReadOnlyList<BudgetScope> extras, int index)
    {
        if (hasDerived && scope == derived)
        {
            return true;
        }

        for (int j = 0; j < index; j++)
        {
            if (extras[j] == scope)
            {
                return true;
            }
        }

        return false;
    }

    private IReadOnlyList<string> IdsOf(BudgetWindowKey[] held)
    {
        if (held.Length == 1)
        {
            // One read-only list per budget, shared by its reservations.
            return _byId[held[0].BudgetId].IdList;
        }

        var ids = new List<string>(held.Length);
        foreach (var key in held)
        {
            if (!ids.Contains(key.BudgetId))
            {
                ids.Add(key.BudgetId);
            }
        }

        return [.. ids];
    }

    /// <summary>Releases what the call already holds, raises the exhausted alert, then degrades or throws.</summary>
    private async ValueTask<BudgetReservation> RefuseAsync(BudgetAdmissionRequest request, BudgetWindowKey[]? held, int count, BudgetRuntime budget, BudgetScope scope, BudgetWindowKey key, decimal? requested, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            await _store.SettleAsync(held![i], request.RequestId, 0m, now, cancellationToken).ConfigureAwait(false);
        }

        var definition = budget.Definition;
        var usage = await _store.GetAsync(key, now, cancellationToken).ConfigureAwait(false);
        decimal remaining = Math.Max(0m, definition.Limit - usage.Spent - usage.Reserved);
        var resetsAt = budget.RollingPeriod > TimeSpan.Zero ? usage.NextRollOff : budget.WindowAt(now).End;
        await RaiseCrossedAsync(budget, scope, usage.Spent, now, exhausted: true, cancellationToken).ConfigureAwait(false);

        if (definition.OnExhausted == BudgetExhaustedAction.Degrade
            && definition.DegradeToModel is { Length: > 0 } cheaper
            && !string.Equals(cheaper, request.Model, StringComparison.OrdinalIgnoreCase))
        {
            LogDegraded(_logger, definition.Id, scope.Kind, request.Model, cheaper);
            return new BudgetReservation { Id = request.RequestId, DegradedToModel = cheaper };
        }

        LogRefused(_logger, definition.Id, scope.Kind, request.Model);
        if (requested is { } amount)
        {
            throw new BudgetExceededException(definition.Id, scope, definition.Unit, definition.Limit, remaining, amount, resetsAt);
        }

        throw new BudgetExceededException(
            string.Create(CultureInfo.InvariantCulture, $"Budget '{definition.Id}' for {scope} counts USD, but the price of model '{request.Model}' is unknown, so the call cannot be admitted. Add the model's prices (IModelRegistry.Register, or 'LlmKit:Catalog:{request.Model}:Pricing'), or set the budget's OnUnknownPrice to Skip to count such calls against token budgets only."),
            definition.Id,
            scope,
            definition.Unit,
            definition.Limit,
            remaining,
            resetsAt);
    }

    /// <summary>Raises each threshold the spend reached (or, when exhausted, the 100 % threshold) that was not yet raised in the window.</summary>
    private async ValueTask RaiseCrossedAsync(BudgetRuntime budget, BudgetScope scope, decimal spent, DateTimeOffset now, bool exhausted, CancellationToken cancellationToken)
    {
        var definition = budget.Definition;
        foreach (decimal threshold in budget.Thresholds)
        {
            if (exhausted)
            {
                if (threshold != 1m)
                {
                    continue;
                }
            }
            else if (spent < threshold * definition.Limit)
            {
                break;
            }

            var alertKey = budget.AlertKeyAt(scope, now);
            if (!await _store.TryMarkAlertAsync(alertKey, threshold, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var alert = new BudgetAlert
            {
                Budget = definition,
                Scope = scope,
                Threshold = threshold,
                Spent = spent,
                Exhausted = exhausted,
                WindowStart = alertKey.WindowStart,
                WindowEnd = budget.RollingPeriod > TimeSpan.Zero ? null : budget.WindowAt(now).End,
                RaisedAt = now,
            };
            LogAlert(_logger, definition.Id, scope.Kind, threshold * 100m, exhausted);
            await PublishAsync(alert, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask PublishAsync(BudgetAlert alert, CancellationToken cancellationToken)
    {
#pragma warning disable CA1031 // An alert subscriber that fails must not fail the call whose spend raised the alert; it is logged.
        if (AlertRaised is { } raised)
        {
            // Each subscriber on its own, so one that throws does not keep the others from hearing of the alert.
            foreach (var subscriber in raised.GetInvocationList())
            {
                try
                {
                    ((EventHandler<BudgetAlert>)subscriber)(this, alert);
                }
                catch (Exception ex)
                {
                    LogHandlerFailed(_logger, alert.Budget.Id, ex);
                }
            }
        }

        foreach (var handler in _handlers)
        {
            try
            {
                await handler.OnBudgetAlertAsync(alert, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogHandlerFailed(_logger, alert.Budget.Id, ex);
            }
        }
#pragma warning restore CA1031
    }

    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "Budget {BudgetId} ({ScopeKind}) crossed {Percent} % of its limit in the current window (exhausted: {Exhausted})")]
    private static partial void LogAlert(ILogger logger, string budgetId, BudgetScopeKind scopeKind, decimal percent, bool exhausted);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Budget {BudgetId} ({ScopeKind}) has no room for a call to {Model}; the call is sent to {DegradeModel} instead")]
    private static partial void LogDegraded(ILogger logger, string budgetId, BudgetScopeKind scopeKind, string model, string degradeModel);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Budget {BudgetId} ({ScopeKind}) refused a call to {Model}")]
    private static partial void LogRefused(ILogger logger, string budgetId, BudgetScopeKind scopeKind, string model);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Error, Message = "A budget alert handler failed for budget {BudgetId}; the call itself is not affected")]
    private static partial void LogHandlerFailed(ILogger logger, string budgetId, Exception exception);
}
