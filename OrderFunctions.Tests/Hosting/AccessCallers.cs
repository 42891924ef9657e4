using OrderFunctions.Access;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// The callers the access contract configures on every host, as environment variables (<c>OrderAccess__Callers__0__Name</c>):
/// desk1 (write and read, <c>desk1-*</c>, two keys: one being rotated out), desk2 (write and read, <c>desk2-*</c> and
/// <c>shared</c>), desk1-backup (write, <c>desk1-*</c>: another caller for the same desk), auditor (read, <c>*</c>).
/// </summary>
public static class AccessCallers
{
    public static readonly string Desk1OldKey = CallerKey.New();
    public static readonly string Desk1Key = CallerKey.New();
    public static readonly string Desk2Key = CallerKey.New();
    public static readonly string BackupKey = CallerKey.New();
    public static readonly string AuditorKey = CallerKey.New();

    public static Dictionary<string, string> Environment()
    {
        var settings = new Dictionary<string, string>();
        void Caller(int i, string name, string[] keys, string[] usernames, string[] operations)
        {
            var at = $"OrderAccess__Callers__{i}__";
            settings[at + "Name"] = name;
            for (var k = 0; k < keys.Length; k++) settings[$"{at}KeyHashes__{k}"] = CallerKey.Hash(keys[k]);
            for (var u = 0; u < usernames.Length; u++) settings[$"{at}Usernames__{u}"] = usernames[u];
            for (var o = 0; o < operations.Length; o++) settings[$"{at}Operations__{o}"] = operations[o];
        }
        Caller(0, "desk1", [Desk1OldKey, Desk1Key], ["desk1-*"], ["write", "read"]);
        Caller(1, "desk2", [Desk2Key], ["desk2-*", "shared"], ["write", "read"]);
        Caller(2, "desk1-backup", [BackupKey], ["desk1-*"], ["write"]);
        Caller(3, "auditor", [AuditorKey], ["*"], ["read"]);
        return settings;
    }
}
