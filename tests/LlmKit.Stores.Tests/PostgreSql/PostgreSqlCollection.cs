namespace LlmKit.Stores.Tests.PostgreSql;

/// <summary>The tests that share one throw-away PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgreSqlCollection : ICollectionFixture<PostgreSqlServerFixture>
{
    public const string Name = "PostgreSQL";
}
