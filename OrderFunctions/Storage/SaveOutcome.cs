namespace OrderFunctions.Storage;

/// <summary>What became of an order handed to <see cref="IOrderRepository"/>.</summary>
public enum SaveOutcome
{
    /// <summary>Written now.</summary>
    Created,

    /// <summary>Stored before under the same client order id with the same content; nothing written.</summary>
    Replayed,

    /// <summary>Stored before under the same client order id with different content; nothing written.</summary>
    Conflict,
}
