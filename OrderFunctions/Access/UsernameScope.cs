namespace OrderFunctions.Access;

/// <summary>The usernames a caller may act for: <c>*</c>, exact names (a hash set) and prefixes (<c>desk1-*</c>).</summary>
public sealed class UsernameScope
{
    private readonly HashSet<string> _exact;
    private readonly string[] _prefixes;

    public UsernameScope(IEnumerable<string> patterns)
    {
        var list = patterns.ToList();
        IsAll = list.Contains("*");
        _exact = new HashSet<string>(list.Where(p => !p.EndsWith('*')), StringComparer.Ordinal);
        _prefixes = [.. list.Where(p => p.Length > 1 && p.EndsWith('*')).Select(p => p[..^1])];
    }

    /// <summary>True for <c>*</c>: any username.</summary>
    public bool IsAll { get; }

    /// <summary>The exact names (case-sensitive, as usernames are stored).</summary>
    public IReadOnlyCollection<string> Exact => _exact;

    /// <summary>The prefixes, without their <c>*</c>.</summary>
    public IReadOnlyList<string> Prefixes => _prefixes;

    public bool Allows(string username)
    {
        if (IsAll || _exact.Contains(username)) return true;
        foreach (var prefix in _prefixes)
        {
            if (username.StartsWith(prefix, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
