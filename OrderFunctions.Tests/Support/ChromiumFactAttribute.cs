namespace OrderFunctions.Tests.Support;

/// <summary>A fact that drives Debian's chromium: skipped with the install command when it is missing outside CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (ThirdPartyTools.ChromiumSkipReason is { } reason) Skip = reason;
    }
}
