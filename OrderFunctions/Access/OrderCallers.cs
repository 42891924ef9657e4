using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Access;

/// <summary>
/// The configured callers, compiled once at start: each key hash as 32 bytes beside the caller it belongs to. A
/// presented key is hashed (SHA-256) and compared with every configured hash in constant time, with no early exit, so
/// neither which hash matched nor how much of it shows in the time an answer takes.
/// </summary>
public sealed class OrderCallers
{
    // Longer keys are refused unhashed: CallerKey.New makes 43 characters.
    private const int MaxKeyBytes = 512;

    private readonly byte[][] _hashes;
    private readonly OrderCaller[] _owners;

    public OrderCallers(IOptions<OrderAccessOptions> options)
    {
        var hashes = new List<byte[]>();
        var owners = new List<OrderCaller>();
        foreach (var configured in options.Value.Callers)
        {
            var operations = configured.Operations.Select(o => o.Trim().ToLowerInvariant()).ToHashSet();
            var caller = new OrderCaller(configured.Name, new UsernameScope(configured.Usernames),
                CanWrite: operations.Contains(Operation.Write), CanRead: operations.Contains(Operation.Read));
            foreach (var hash in configured.KeyHashes)
            {
                hashes.Add(Convert.FromHexString(hash.Trim()));
                owners.Add(caller);
            }
        }
        (_hashes, _owners) = ([.. hashes], [.. owners]);
        Callers = [.. owners.Distinct()];
    }

    /// <summary>No callers configured: the API is open and orders carry no <c>storedBy</c>.</summary>
    public bool IsOpen => _owners.Length == 0;

    /// <summary>Every configured caller, once.</summary>
    public IReadOnlyList<OrderCaller> Callers { get; }

    /// <summary>The caller whose key <paramref name="key"/> is; null for a missing, unknown or oversized key.</summary>
    public OrderCaller? Authenticate(string? key)
    {
        if (string.IsNullOrEmpty(key) || Encoding.UTF8.GetMaxByteCount(key.Length) > MaxKeyBytes && Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return null;
        }
        Span<byte> utf8 = stackalloc byte[MaxKeyBytes];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], hash);
        OrderCaller? found = null;
        for (var i = 0; i < _hashes.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, _hashes[i])) found = _owners[i];
        }
        return found;
    }

    /// <summary>The operations a caller may be given.</summary>
    public static class Operation
    {
        public const string Write = "write";
        public const string Read = "read";
    }
}
