using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Mapping;

public class RoomMappingTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("42", 42)]
    [InlineData("-3", 0)]
    [InlineData("abc", 0)]
    [InlineData("", 0)]
    [InlineData("99999999999", 0)]
    [InlineData(" 7 ", 7)]
    public void Current_frame_is_read_as_zndraw_reads_it(string stored, int expected)
    {
        Assert.Equal(expected, RoomMapping.ParseCurrentFrame(TestData.Bytes(stored)));
    }

    [Fact]
    public void Room_from_values_and_back()
    {
        Room room = RoomMapping.FromValues("r1", TestData.Bytes("Water box"), TestData.Bytes("1"), TestData.Bytes("0"), TestData.Bytes("5"), 10);
        Assert.Equal(new Room("r1", "Water box", Locked: true, Hidden: false, CurrentFrame: 5, FrameCount: 10), room);
        Assert.Equal("1", (string?)RoomMapping.FormatFlag(room.Locked));
        Assert.Equal("0", (string?)RoomMapping.FormatFlag(room.Hidden));
        Assert.Equal("5", (string?)RoomMapping.FormatCurrentFrame(room.CurrentFrame));
        Assert.Equal(room, RoomMapping.FromValues("r1", "Water box", RoomMapping.FormatFlag(true), RoomMapping.FormatFlag(false), RoomMapping.FormatCurrentFrame(5), 10));

        Room missing = RoomMapping.FromValues("r2", RedisValue.Null, RedisValue.Null, TestData.Bytes("yes"), RedisValue.Null);
        Assert.Equal(new Room("r2"), missing);
        Assert.Throws<ArgumentOutOfRangeException>(() => RoomMapping.FormatCurrentFrame(-1));
    }

    [Fact]
    public void Metadata_golden_and_round_trip()
    {
        HashEntry[] stored = TestData.Hash(
            ("relative_file_path", "data/water.xyz"),
            ("file_size", "1024"),
            ("file_modified_timestamp", "2025-10-31T12:00:00.123456+00:00"),
            ("custom", "x"));
        RoomMetadata metadata = RoomMapping.MetadataFromHash("room:r1:metadata", TestData.AsBytes(stored))!;
        Assert.Equal("data/water.xyz", metadata.RelativeFilePath);
        Assert.Equal(1024, metadata.FileSize);
        Assert.Equal(new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560), metadata.FileModified);
        Assert.Equal("x", metadata["custom"]);

        RoomMetadata built = RoomMetadata.ForFile("a.xyz", 5, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        Assert.Equal("2025-01-02T03:04:05+00:00", built[RoomMetadata.FileModifiedTimestampField]);
        Assert.Null(RoomMapping.MetadataFromHash("room:r1:metadata", []));
    }

    [Theory]
    [InlineData("file_size", "big")]
    [InlineData("file_modified_timestamp", "last tuesday")]
    public void Bad_metadata_names_the_field(string field, string value)
    {
        var ex = Assert.Throws<StorageDataException>(() => RoomMapping.MetadataFromHash("room:r1:metadata", TestData.Hash((field, value))));
        Assert.Equal(field, ex.Field);
        Assert.Equal("room:r1:metadata", ex.Key);
    }
}
