using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Mapping;

public class JobMappingTests
{
    private const string Key = "job:6f1c2a54-3c3e-4a53-9e0b-2f4d6f3c9a11";

    // Exactly what ZnDraw's job creation writes (every field a string, "" = not set).
    private static HashEntry[] QueuedJob() => TestData.Hash(
        ("id", "6f1c2a54-3c3e-4a53-9e0b-2f4d6f3c9a11"),
        ("room", "r1"),
        ("category", "modifiers"),
        ("extension", "Rotate"),
        ("data", "{\"angle\": 90.0, \"axis\": \"z\", \"label\": \"\\u00e9\"}"),
        ("user_name", "alice"),
        ("status", "queued"),
        ("provider", "client"),
        ("created_at", "2025-10-31T12:00:00.123456"),
        ("started_at", ""),
        ("completed_at", ""),
        ("worker_id", ""),
        ("error", ""),
        ("result", ""),
        ("wait_time_ms", ""),
        ("execution_time_ms", ""));

    [Fact]
    public void Parses_a_queued_job_as_zndraw_writes_it_and_writes_identical_entries()
    {
        HashEntry[] stored = QueuedJob();
        Job job = JobMapping.FromHash(Key, TestData.AsBytes(stored))!;

        Assert.Equal("6f1c2a54-3c3e-4a53-9e0b-2f4d6f3c9a11", job.Id);
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal(JobProvider.Client, job.Provider);
        Assert.Equal(90.0, job.Data!.Value.GetProperty("angle").GetDouble());
        Assert.Null(job.StartedAt);
        Assert.Null(job.WorkerId);
        Assert.Null(job.Result);
        Assert.Null(job.WaitTimeMs);
        Assert.True(job.IsActive);

        HashEntry[] written = JobMapping.ToHashEntries(job);
        Assert.Equal(stored.Length, written.Length);
        for (int i = 0; i < stored.Length; i++)
        {
            Assert.Equal((string?)stored[i].Name, (string?)written[i].Name);
            Assert.Equal((string?)stored[i].Value, (string?)written[i].Value);
        }
    }

    [Fact]
    public void Parses_a_completed_celery_job_and_round_trips()
    {
        HashEntry[] stored = QueuedJob();
        var dict = TestData.ToDictionary(stored);
        dict["status"] = "completed";
        dict["provider"] = "celery";
        dict["started_at"] = "2025-10-31T12:00:01";
        dict["completed_at"] = "2025-10-31T12:00:02.000500";
        dict["worker_id"] = "celery:1234";
        dict["result"] = "{\"ok\": true, \"values\": [1, 2.5]}";
        dict["wait_time_ms"] = "877";
        dict["execution_time_ms"] = "1000";
        HashEntry[] completed = dict.Select(kv => new HashEntry(kv.Key, kv.Value)).ToArray();

        Job job = JobMapping.FromHash(Key, completed)!;
        Assert.Equal(JobStatus.Completed, job.Status);
        Assert.Equal(JobProvider.Celery, job.Provider);
        Assert.Equal(877, job.WaitTimeMs);
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 2, DateTimeKind.Utc).AddTicks(5_000), job.CompletedAt);
        Assert.False(job.IsActive);
        Assert.Equal(dict, TestData.ToDictionary(JobMapping.ToHashEntries(job)));
        Assert.Equal(job, JobMapping.FromHash(Key, JobMapping.ToHashEntries(job)));
    }

    [Theory]
    [InlineData("status", "paused")]
    [InlineData("status", "")]
    [InlineData("provider", "lambda")]
    [InlineData("created_at", "")]
    [InlineData("created_at", "noon")]
    [InlineData("started_at", "soon")]
    [InlineData("wait_time_ms", "12.5")]
    [InlineData("data", "{broken")]
    [InlineData("result", "[1,")]
    [InlineData("id", "")]
    public void Bad_fields_raise_storage_errors_naming_key_and_field(string field, string value)
    {
        var dict = TestData.ToDictionary(QueuedJob());
        dict[field] = value;
        var ex = Assert.Throws<StorageDataException>(() => JobMapping.FromHash(Key, dict.Select(kv => new HashEntry(kv.Key, kv.Value)).ToArray()));
        Assert.Equal(Key, ex.Key);
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Missing_required_field_and_empty_hash()
    {
        HashEntry[] withoutRoom = QueuedJob().Where(e => (string?)e.Name != "room").ToArray();
        var ex = Assert.Throws<StorageDataException>(() => JobMapping.FromHash(Key, withoutRoom));
        Assert.Equal("room", ex.Field);
        Assert.Null(JobMapping.FromHash(Key, []));
    }

    [Fact]
    public void Job_equality_compares_json_by_value()
    {
        Job a = JobMapping.FromHash(Key, QueuedJob())!;
        Job b = JobMapping.FromHash(Key, QueuedJob())!;
        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { Data = JsonDocument.Parse("{}").RootElement.Clone() });
    }
}
