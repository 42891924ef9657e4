using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// Inside the writer only: a keyed insert waited past <c>PostgresKeyWaitMilliseconds</c> for a client order id that
/// another session is inserting. The writer then sets that one request aside instead of failing the whole commit.
/// </summary>
// Stryker disable once String : equivalent, the message is never shown: the writer catches the exception and answers KeyBusyReason
internal sealed class KeyBusyException(PostgresException inner) : Exception("a client order id is held by another session", inner);
