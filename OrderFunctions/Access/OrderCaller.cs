namespace OrderFunctions.Access;

/// <summary>A caller as the functions check it: its name, the usernames it may act for, and what it may do.</summary>
public sealed record OrderCaller(string Name, UsernameScope Usernames, bool CanWrite, bool CanRead);
