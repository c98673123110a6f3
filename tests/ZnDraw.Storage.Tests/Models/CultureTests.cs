using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;

namespace ZnDraw.Storage.Tests.Models;

public class CultureTests
{
    [Theory]
    [InlineData("de-DE")]
    [InlineData("ar-SA")]
    [InlineData("fa-IR")]
    public void Parsers_and_writers_ignore_the_current_culture(string culture)
    {
        CultureInfo savedCulture = CultureInfo.CurrentCulture;
        CultureInfo savedUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);

            HashEntry[] stored = TestData.Hash(
                ("id", "j1"), ("room", "r1"), ("category", "modifiers"), ("extension", "Rotate"),
                ("data", "{\"angle\": 1.5}"), ("user_name", "alice"), ("status", "completed"), ("provider", "client"),
                ("created_at", "2025-10-31T12:00:00.123456"), ("started_at", "2025-10-31T12:00:01"),
                ("completed_at", "2025-10-31T12:00:02.5"), ("worker_id", "w"), ("error", ""), ("result", "[0.5, -1e-05]"),
                ("wait_time_ms", "-1234"), ("execution_time_ms", "1500"));
            Job job = JobMapping.FromHash("job:j1", stored)!;
            Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560), job.CreatedAt);
            Assert.Equal(-1234, job.WaitTimeMs);
            Assert.Equal(1500, job.ExecutionTimeMs);
            Dictionary<string, string> written = TestData.ToDictionary(JobMapping.ToHashEntries(job));
            Assert.Equal("-1234", written["wait_time_ms"]);
            Assert.Equal("2025-10-31T12:00:02.500000", written["completed_at"]);
            Assert.Equal("{\"angle\": 1.5}", written["data"]);
            Assert.Equal("[0.5, -1e-05]", written["result"]);

            Assert.Equal(42, RoomMapping.ParseCurrentFrame("42"));
            Assert.Equal("42", (string?)RoomMapping.FormatCurrentFrame(42));
            Assert.Equal(1024, RoomMapping.MetadataFromHash("m", TestData.Hash(("file_size", "1024")))!.FileSize);
            Assert.Equal("2025-10-31T12:00:00+00:00", ZnDrawTime.FormatIsoWithOffset(new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero)));
            Assert.Equal(new FrameIndex("r1", 12), FrameMapping.ParseMember("k", "r1", "r1:12"));
            Assert.Equal("r1:12", new FrameIndex("r1", 12).ToString());
            Assert.Equal("msg_r1_7", ChatMessage.MessageId("r1", 7));
            Assert.Equal("12", (string?)FrameMapping.BookmarkField(12));
            Assert.Equal("[1, 2]", (string?)SelectionMapping.FormatIndices([1, 2]));
        }
        finally
        {
            CultureInfo.CurrentCulture = savedCulture;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }
}
