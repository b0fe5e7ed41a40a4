using System.Globalization;
using System.Text;
using Npgsql;

namespace LlmKit;

/// <summary>Builds the WHERE conditions of a <see cref="ConversationQuery"/> over <c>llmkit_conversations c</c>.</summary>
internal static class PostgreSqlFilter
{
    public static void Append(StringBuilder sql, NpgsqlCommand command, ConversationQuery? query)
    {
        if (query is null)
        {
            return;
        }

        if (query.TenantId is { } tenant)
        {
            sql.Append(" AND c.tenant_id = @tenant");
            command.Parameters.AddWithValue("tenant", tenant);
        }

        if (query.UserId is { } user)
        {
            sql.Append(" AND c.user_id = @user");
            command.Parameters.AddWithValue("user", user);
        }

        if (query.UpdatedAfter is { } after)
        {
            sql.Append(" AND c.updated_at >= @after");
            command.Parameters.AddWithValue("after", StoreRules.Normalize(after));
        }

        if (query.UpdatedBefore is { } before)
        {
            sql.Append(" AND c.updated_at < @before");
            command.Parameters.AddWithValue("before", StoreRules.Normalize(before));
        }

        if (query.CreatedAfter is { } createdAfter)
        {
            sql.Append(" AND c.created_at >= @createdAfter");
            command.Parameters.AddWithValue("createdAfter", StoreRules.Normalize(createdAfter));
        }

        if (query.CreatedBefore is { } createdBefore)
        {
            sql.Append(" AND c.created_at < @createdBefore");
            command.Parameters.AddWithValue("createdBefore", StoreRules.Normalize(createdBefore));
        }

        for (int i = 0; i < query.Tags.Count; i++)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"tag{i}");
            sql.Append(" AND EXISTS (SELECT 1 FROM llmkit_conversation_tags t WHERE t.conversation_id = c.id AND t.tag = @").Append(name).Append(')');
            command.Parameters.AddWithValue(name, query.Tags[i]);
        }
    }
}
