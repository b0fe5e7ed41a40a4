using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LlmKit;

/// <summary>Builds the WHERE conditions of a <see cref="ConversationQuery"/> over <c>llmkit_conversations c</c>.</summary>
internal static class SqliteFilter
{
    public static void Append(StringBuilder sql, SqliteCommand command, ConversationQuery? query)
    {
        if (query is null)
        {
            return;
        }

        if (query.TenantId is { } tenant)
        {
            sql.Append(" AND c.tenant_id = $tenant");
            command.Parameters.AddWithValue("$tenant", tenant);
        }

        if (query.UserId is { } user)
        {
            sql.Append(" AND c.user_id = $user");
            command.Parameters.AddWithValue("$user", user);
        }

        AddTimeBound(sql, command, " AND c.updated_at >= ", "after", query.UpdatedAfter);
        AddTimeBound(sql, command, " AND c.updated_at < ", "before", query.UpdatedBefore);
        AddTimeBound(sql, command, " AND c.created_at >= ", "createdAfter", query.CreatedAfter);
        AddTimeBound(sql, command, " AND c.created_at < ", "createdBefore", query.CreatedBefore);

        for (int i = 0; i < query.Tags.Count; i++)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"$tag{i}");
            sql.Append(" AND EXISTS (SELECT 1 FROM llmkit_conversation_tags t WHERE t.conversation_pk = c.pk AND t.tag = ").Append(name).Append(')');
            command.Parameters.AddWithValue(name, query.Tags[i]);
        }
    }

    /// <summary>Adds one bound of a time range (start inclusive, end exclusive) when the query sets it.</summary>
    private static void AddTimeBound(StringBuilder sql, SqliteCommand command, string condition, string name, DateTimeOffset? value)
    {
        if (value is { } bound)
        {
            sql.Append(condition).Append('$').Append(name);
            command.Parameters.AddWithValue("$" + name, StoreRules.Normalize(bound).UtcTicks);
        }
    }
}
