using Microsoft.Extensions.Options;
using OrderFunctions.Access;

namespace OrderFunctions.Tests.Access;

/// <summary>
/// The callers' building blocks: keys matched by their SHA-256 (several per caller, for rotation), username patterns,
/// and the start-up validation of the configuration. What the routes do with them is the contract suite's
/// (<c>Hosting/OrderAccessContract</c>, on both hosts).
/// </summary>
public sealed class OrderCallersTests
{
    private static readonly string OldKey = CallerKey.New();
    private static readonly string NewKey = CallerKey.New();
    private static readonly string ReaderKey = CallerKey.New();

    private static OrderAccessOptions Options() => new()
    {
        Callers =
        [
            new()
            {
                Name = "desk1", KeyHashes = [CallerKey.Hash(OldKey), CallerKey.Hash(NewKey)],
                Usernames = ["desk1-*", "alice"], Operations = ["write", "read"],
            },
            new() { Name = "auditor", KeyHashes = [CallerKey.Hash(ReaderKey).ToUpperInvariant()], Usernames = ["*"], Operations = ["Read"] },
        ],
    };

    [Fact]
    public void Authenticate_returns_the_caller_for_each_of_its_keys_when_a_key_is_being_rotated()
    {
        var callers = new OrderCallers(Microsoft.Extensions.Options.Options.Create(Options()));

        var byOld = callers.Authenticate(OldKey);
        var byNew = callers.Authenticate(NewKey);
        var reader = callers.Authenticate(ReaderKey);

        Assert.False(callers.IsOpen);
        Assert.Same(byOld, byNew);
        Assert.Equal(("desk1", true, true), (byOld!.Name, byOld.CanWrite, byOld.CanRead));
        Assert.Equal(("auditor", false, true), (reader!.Name, reader.CanWrite, reader.CanRead));
        Assert.Equal(["desk1", "auditor"], callers.Callers.Select(c => c.Name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-a-configured-key")]
    public void Authenticate_returns_null_when_the_key_is_missing_or_unknown(string? key)
    {
        var callers = new OrderCallers(Microsoft.Extensions.Options.Options.Create(Options()));

        Assert.Null(callers.Authenticate(key));
        Assert.Null(callers.Authenticate(new string('k', 10_000)));
    }

    [Fact]
    public void Callers_are_open_when_none_is_configured()
    {
        Assert.True(new OrderCallers(Microsoft.Extensions.Options.Options.Create(new OrderAccessOptions())).IsOpen);
    }

    [Theory]
    [InlineData("alice", true)]
    [InlineData("desk1-bob", true)]
    [InlineData("desk1-", true)]
    [InlineData("desk2-bob", false)]
    [InlineData("Alice", false)]
    [InlineData("alice2", false)]
    public void UsernameScope_allows_exact_names_and_prefixes_only(string username, bool allowed)
    {
        Assert.Equal(allowed, new UsernameScope(["alice", "desk1-*"]).Allows(username));
        Assert.True(new UsernameScope(["*"]).Allows(username));
    }

    [Fact]
    public void CallerKey_Hash_is_the_lower_case_hex_SHA256_of_the_key()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", CallerKey.Hash("abc"));
        Assert.Equal(43, CallerKey.New().Length);
        Assert.NotEqual(CallerKey.New(), CallerKey.New());
    }

    [Fact]
    public void Validation_accepts_a_correct_configuration()
    {
        Assert.Empty(OrderAccessValidation.Errors(Options()));
    }

    [Fact]
    public void Validation_names_every_misconfigured_setting_and_never_a_key()
    {
        var options = new OrderAccessOptions
        {
            Callers =
            [
                new()
                {
                    Name = "desk1", KeyHashes = [OldKey, "@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/desk1)"],
                    Usernames = ["de*sk"], Operations = ["trade"],
                },
                new() { Name = "desk1", KeyHashes = [], Usernames = [], Operations = [] },
                new() { Name = "desk3", KeyHashes = [CallerKey.Hash(NewKey), CallerKey.Hash(NewKey)], Usernames = ["*"], Operations = ["read"] },
            ],
        };

        var errors = OrderAccessValidation.Errors(options);

        Assert.Equal(
        [
            "OrderAccess:Callers:0:KeyHashes:0 must be a key's SHA-256 as 64 hex digits (OrderClient keygen prints it), never the key",
            "OrderAccess:Callers:0:KeyHashes:1 is an unresolved Key Vault reference: App Service could not fetch the secret " +
                "(check the secret's name, and the app identity's 'Key Vault Secrets User' role)",
            "OrderAccess:Callers:0:Usernames:0 must be a username, a prefix ending in * (desk1-*), or *",
            "OrderAccess:Callers:0:Operations:0 must be write or read",
            "OrderAccess:Callers:1:Name 'desk1' names another caller too",
            "OrderAccess:Callers:1:KeyHashes must hold at least one key's SHA-256 (OrderClient keygen prints one)",
            "OrderAccess:Callers:1:Usernames must list the usernames it may act for (names, prefixes such as desk1-*, or *)",
            "OrderAccess:Callers:1:Operations must list write, read or both",
            "OrderAccess:Callers:2:KeyHashes:1 is also a key of OrderAccess:Callers:2: a key belongs to one caller",
        ], errors);
        Assert.DoesNotContain(errors, e => e.Contains(OldKey, StringComparison.Ordinal));
    }
}
