using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderFunctions.Http;
using OrderFunctions.Orders;

namespace OrderFunctions.Access;

/// <summary>
/// The callers' rules as every function applies them, in the function app's own code path, so the Functions host and
/// the standalone host enforce them alike: the caller named by its key (<c>x-api-key</c>), its operations, and its
/// usernames, on writes (each order's username) and on reads (a filter outside them is 403; an order outside them is
/// not found). With no callers configured everything is allowed and no caller is named.
/// </summary>
public sealed class OrderAccess(OrderCallers callers)
{
    /// <summary>True when no callers are configured.</summary>
    public bool IsOpen => callers.IsOpen;

    /// <summary>
    /// The caller of <paramref name="request"/> and whether it may <paramref name="write"/> (else read): a refusal
    /// (401 without a known key, 403 without the operation), or the caller (null while the API is open).
    /// </summary>
    public AccessCheck Check(HttpRequest request, bool write)
    {
        if (callers.IsOpen) return default;
        var key = request.Headers.TryGetValue(OrderHeaders.ApiKey, out var values) && values.Count == 1 ? values[0] : null;
        if (callers.Authenticate(key) is not { } caller) return new AccessCheck(null, Problems.UnknownCaller());
        if (write ? !caller.CanWrite : !caller.CanRead)
        {
            return new AccessCheck(caller, Problems.Forbidden(
                $"Caller '{caller.Name}' may not {(write ? "post orders (it may only read)" : "read orders (it may only post)")}.", null));
        }
        return new AccessCheck(caller, null);
    }

    /// <summary>
    /// The 403 for the first orders whose username <paramref name="caller"/> may not act for, each named
    /// (<c>[i].username</c>, or <c>username</c> for one order); null when it may act for all of them.
    /// </summary>
    public static IResult? CheckUsernames(OrderCaller? caller, IReadOnlyList<Order> orders, bool isArray)
    {
        if (caller is null || caller.Usernames.IsAll) return null;
        ValidationErrors? errors = null;
        for (var i = 0; i < orders.Count; i++)
        {
            if (caller.Usernames.Allows(orders[i].Username)) continue;
            errors ??= new ValidationErrors();
            errors.Add(isArray ? $"[{i}].username" : "username", NotActingFor(caller));
        }
        return errors is null ? null : UsernamesForbidden(caller, errors);
    }

    /// <summary>
    /// The same 403 for the username of the order named by <c>If-Order-Stored</c> (keyed by the header), so a caller
    /// learns nothing of whether another user's order exists; null when <paramref name="caller"/> may act for it.
    /// </summary>
    public static IResult? CheckPrecedingUsername(OrderCaller? caller, string username)
    {
        if (caller is null || caller.Usernames.IsAll || caller.Usernames.Allows(username)) return null;
        var errors = new ValidationErrors();
        errors.Add(OrderHeaders.IfOrderStored, NotActingFor(caller));
        return UsernamesForbidden(caller, errors);
    }

    private static string NotActingFor(OrderCaller caller) => $"is not a username caller '{caller.Name}' may act for";

    private static ProblemHttpResult UsernamesForbidden(OrderCaller caller, ValidationErrors errors) =>
        Problems.Forbidden($"Caller '{caller.Name}' may not act for every username of this request. Nothing of it was written.", errors);

    /// <summary>
    /// <paramref name="filter"/> limited to the usernames of <paramref name="caller"/>; a 403 (in <paramref name="refusal"/>)
    /// when the filter names a username outside them.
    /// </summary>
    public static OrderFilter Scope(OrderCaller? caller, OrderFilter filter, out IResult? refusal)
    {
        refusal = null;
        if (caller is null || caller.Usernames.IsAll) return filter;
        if (filter.Username is { } username)
        {
            if (caller.Usernames.Allows(username)) return filter;
            var errors = new ValidationErrors();
            errors.Add("username", $"is not a username caller '{caller.Name}' may read");
            refusal = Problems.Forbidden($"Caller '{caller.Name}' may not read the orders of '{username}'.", errors);
            return filter;
        }
        return filter with { Scope = caller.Usernames };
    }

    /// <summary>True when <paramref name="caller"/> may see <paramref name="order"/> (always while the API is open).</summary>
    public static bool MaySee(OrderCaller? caller, StoredOrder order) => caller is null || caller.Usernames.Allows(order.Username);
}
