namespace OrderFunctions.Storage.Postgres;

/// <summary>How the PostgreSQL writer inserts a commit's orders that carry no client order id.</summary>
public enum PostgresBulkInsert
{
    /// <summary>Binary COPY (the default: the faster of the two here, docs/postgres.md).</summary>
    Copy,

    /// <summary>One <c>INSERT ... SELECT FROM unnest(...)</c> with an array per column.</summary>
    Unnest,
}
