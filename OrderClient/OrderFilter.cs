namespace OrderClient;

/// <summary>The filters of <c>list</c> and <c>stats</c>, passed to the server as query parameters when given.</summary>
public sealed record OrderFilter(string? Username, string? Market, string? Side, string? From, string? To)
{
    public IEnumerable<KeyValuePair<string, string?>> ToQuery()
    {
        yield return new("username", Username);
        yield return new("market", Market);
        yield return new("side", Side);
        yield return new("from", From);
        yield return new("to", To);
    }
}
