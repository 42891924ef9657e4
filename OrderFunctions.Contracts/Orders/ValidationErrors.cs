namespace OrderFunctions.Orders;

/// <summary>Field errors keyed by JSON path (<c>price</c>, <c>[3].side</c>), capped so a hostile body cannot grow the answer.</summary>
public sealed class ValidationErrors
{
    /// <summary>Keys kept before further errors are summarised under <see cref="OverflowKey"/>.</summary>
    public const int MaxKeys = 100;
    public const string OverflowKey = "$more";

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);
    private int _omitted;

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string key, string message)
    {
        if (_errors.TryGetValue(key, out var messages))
        {
            messages.Add(message);
        }
        else if (_errors.Count < MaxKeys)
        {
            _errors[key] = [message];
        }
        else
        {
            _omitted++;
        }
    }

    /// <summary>Adds an error for <paramref name="field"/> of order <paramref name="index"/> (-1: the only order).</summary>
    public void Add(int index, string field, string message) => Add(Key(index, field), message);

    public bool Contains(int index, string field) => !IsEmpty && _errors.ContainsKey(Key(index, field));

    /// <summary><c>price</c> for a lone order, <c>[3].price</c> for the fourth of many: built only when an error needs it.</summary>
    public static string Key(int index, string field) => index < 0 ? field : $"[{index}].{field}";

    public Dictionary<string, string[]> ToDictionary()
    {
        var result = _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
        if (_omitted > 0)
        {
            result[OverflowKey] = [$"{_omitted} further errors were omitted"];
        }
        return result;
    }
}
