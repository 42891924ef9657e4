namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>
/// Marks a test class that needs a PostgreSQL server: its <see cref="StoreFactAttribute"/> and
/// <see cref="StoreTheoryAttribute"/> tests report skipped, with the install command, where none is available.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class RequiresPostgresAttribute : Attribute;
