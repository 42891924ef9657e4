using System.Runtime.InteropServices;
using OrderFunctions.Client;
using OrderFunctions.Client.Spool;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>One spool record: what a slot's stamp, length and checksum say about the position it is read for.</summary>
public sealed unsafe class SpoolRecordTests
{
    private static readonly byte[] Prefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);

    [Theory]
    [InlineData(0L)]
    [InlineData(41L)]
    public void Check_reads_a_record_written_before_stamps_when_it_holds_its_own_position(long position)
    {
        // The format before stamps: the position itself at offset 8, covered by the checksum. A spool left by that build
        // with orders unsent must still deliver them.
        var slot = (byte*)NativeMemory.AllocZeroed(SpoolRecord.SlotBytes);
        try
        {
            SpoolRecord.Stamp(slot) = position;
            SpoolRecord.Write(slot, position, Order(7, "before", "before-7"), Prefix);

            Assert.Equal(RecordCheck.Valid, SpoolRecord.Check(slot, position, out var length));
            Assert.Equal("before-7", SpoolRecord.Read(slot, length).ClientOrderId);
            Assert.Equal(RecordCheck.Absent, SpoolRecord.Check(slot, position + 1, out _)); // not another position's
        }
        finally
        {
            NativeMemory.Free(slot);
        }
    }

    [Fact]
    public void Check_tells_a_claimed_record_that_was_not_finished_from_a_skipped_and_an_empty_slot()
    {
        var slot = (byte*)NativeMemory.AllocZeroed(SpoolRecord.SlotBytes);
        try
        {
            Assert.Equal(RecordCheck.Absent, SpoolRecord.Check(slot, 5, out _));
            Assert.True(SlotStamp.TryClaim(ref SpoolRecord.Stamp(slot), 5, SlotStamp.Written(5)));
            Assert.Equal(RecordCheck.Torn, SpoolRecord.Check(slot, 5, out _)); // claimed, killed before the length
            SpoolRecord.Write(slot, 5, Order(5), Prefix);
            Assert.Equal(RecordCheck.Valid, SpoolRecord.Check(slot, 5, out _));

            SpoolRecord.Stamp(slot) = SlotStamp.Skipped(9);
            Assert.Equal(RecordCheck.Skipped, SpoolRecord.Check(slot, 9, out _));
        }
        finally
        {
            NativeMemory.Free(slot);
        }
    }
}
