using System.Globalization;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Access;

/// <summary>
/// Refuses, at start, callers that could not be enforced as written: a missing name or a name twice, a key hash that is
/// not SHA-256 hex (a key pasted in clear, an unresolved Key Vault reference), one hash for two callers, no usernames or
/// a malformed pattern, an unknown or missing operation. Each message names the setting, never a key.
/// </summary>
public sealed class OrderAccessValidation : IValidateOptions<OrderAccessOptions>
{
    public ValidateOptionsResult Validate(string? name, OrderAccessOptions options)
    {
        var errors = Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Errors(OrderAccessOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var hashes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Callers.Count; i++)
        {
            var caller = options.Callers[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"{OrderAccessOptions.SectionName}:Callers:{i}");
            if (string.IsNullOrWhiteSpace(caller.Name)) errors.Add($"{at}:Name must name the caller");
            else if (!names.Add(caller.Name)) errors.Add($"{at}:Name '{caller.Name}' names another caller too");

            if (caller.KeyHashes.Count == 0) errors.Add($"{at}:KeyHashes must hold at least one key's SHA-256 (OrderClient keygen prints one)");
            for (var k = 0; k < caller.KeyHashes.Count; k++)
            {
                var hash = caller.KeyHashes[k].Trim();
                if (hash.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{at}:KeyHashes:{k} is an unresolved Key Vault reference: App Service could not fetch the secret " +
                        "(check the secret's name, and the app identity's 'Key Vault Secrets User' role)");
                }
                else if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
                {
                    errors.Add($"{at}:KeyHashes:{k} must be a key's SHA-256 as 64 hex digits (OrderClient keygen prints it), never the key");
                }
                else if (hashes.TryGetValue(hash, out var other))
                {
                    errors.Add($"{at}:KeyHashes:{k} is also a key of {other}: a key belongs to one caller");
                }
                else
                {
                    hashes[hash] = $"{at}";
                }
            }

            if (caller.Usernames.Count == 0)
            {
                errors.Add($"{at}:Usernames must list the usernames it may act for (names, prefixes such as desk1-*, or *)");
            }

            for (var u = 0; u < caller.Usernames.Count; u++)
            {
                var pattern = caller.Usernames[u];
                if (string.IsNullOrWhiteSpace(pattern)
                    || pattern.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != pattern.Length - 1)
                {
                    errors.Add($"{at}:Usernames:{u} must be a username, a prefix ending in * (desk1-*), or *");
                }
            }

            if (caller.Operations.Count == 0) errors.Add($"{at}:Operations must list write, read or both");
            for (var o = 0; o < caller.Operations.Count; o++)
            {
                if (caller.Operations[o].Trim().ToLowerInvariant() is not (OrderCallers.Operation.Write or OrderCallers.Operation.Read))
                {
                    errors.Add($"{at}:Operations:{o} must be write or read");
                }
            }
        }
        return errors;
    }
}
