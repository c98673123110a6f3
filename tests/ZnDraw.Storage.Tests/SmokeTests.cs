namespace ZnDraw.Storage.Tests;

public class StorageDataExceptionTests
{
    [Fact]
    public void Message_names_key_and_field()
    {
        var ex = new StorageDataException("room:r1:current_frame", "f", "not a number");
        Assert.Contains("room:r1:current_frame", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'f'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("f", ex.Field);
    }
}
