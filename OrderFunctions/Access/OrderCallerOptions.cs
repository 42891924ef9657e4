namespace OrderFunctions.Access;

/// <summary>One named caller (a desk, a trading process) as configured: its key hashes, usernames and operations.</summary>
public sealed class OrderCallerOptions
{
    /// <summary>The caller's name, recorded as <c>storedBy</c> on every order it stores.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// SHA-256 of each key the caller may present, as 64 hex digits (never the key itself). Several, so that a key is
    /// rotated without downtime: add the new hash, move the caller to the new key, remove the old hash.
    /// </summary>
    public List<string> KeyHashes { get; set; } = [];

    /// <summary>The usernames it may act for: exact names, prefixes ending in <c>*</c> (<c>desk1-*</c>), or <c>*</c> for any.</summary>
    public List<string> Usernames { get; set; } = [];

    /// <summary><c>write</c> (post orders) and/or <c>read</c> (get, list, statistics, export).</summary>
    public List<string> Operations { get; set; } = [];
}
