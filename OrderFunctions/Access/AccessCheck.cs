using Microsoft.AspNetCore.Http;

namespace OrderFunctions.Access;

/// <summary>The outcome of <see cref="OrderAccess.Check"/>: the caller (null while the API is open) or the answer refusing it.</summary>
public readonly record struct AccessCheck(OrderCaller? Caller, IResult? Refusal);
