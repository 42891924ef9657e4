using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace OrderFunctions.Access;

/// <summary>Caller keys: how one is made, and the hash that is configured in its place.</summary>
public static class CallerKey
{
    /// <summary>A new key: 32 random bytes, base64url (43 characters, safe in a header and a URL).</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>What <c>OrderAccess:Callers:i:KeyHashes</c> holds for <paramref name="key"/>: SHA-256 of its UTF-8, 64 hex digits.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
