using OrderFunctions.Storage;

namespace OrderFunctions.Tests.Storage;

/// <summary>The writer's last failure, as health reads and clears it.</summary>
public sealed class LastWriteFailureTests
{
    [Fact]
    public void Clear_forgets_the_failure_it_names_when_no_newer_one_replaced_it()
    {
        var failure = new LastWriteFailure();
        failure.Failed("the disk is full");

        failure.Clear("the disk is full");

        Assert.Null(failure.Reason);
    }

    [Fact]
    public void Clear_keeps_a_newer_failure_when_one_replaced_the_failure_it_names()
    {
        var failure = new LastWriteFailure();
        failure.Failed("the disk is full");
        failure.Failed("the database file is read-only");

        failure.Clear("the disk is full");

        Assert.Equal("the database file is read-only", failure.Reason);
    }

    [Fact]
    public void Committed_forgets_any_failure()
    {
        var failure = new LastWriteFailure();
        failure.Failed("the disk is full");

        failure.Committed();

        Assert.Null(failure.Reason);
    }
}
