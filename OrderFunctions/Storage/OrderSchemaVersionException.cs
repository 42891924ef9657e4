namespace OrderFunctions.Storage;

/// <summary>
/// The database was upgraded by a newer release than this one: its schema version is above the highest this release
/// knows. The store refuses it at start (a downgrade would write rows the newer release does not expect); the hosts
/// print <see cref="Exception.Message"/> and exit with code 1.
/// </summary>
public sealed class OrderSchemaVersionException(string engine, int found, int known)
    : Exception($"The order database has schema version {found}, but this release of OrderFunctions knows versions up to " +
        $"{known} only: a newer release upgraded it. Run that release (or a newer one), or restore a {engine} backup taken " +
        "before the upgrade; this release does not downgrade a database.")
{
    /// <summary>The version the database records.</summary>
    public int Found { get; } = found;

    /// <summary>The highest version this release can open.</summary>
    public int Known { get; } = known;
}
