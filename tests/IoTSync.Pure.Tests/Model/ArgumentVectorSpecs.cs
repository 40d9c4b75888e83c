using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Model;

public sealed class ArgumentVectorSpecs
{
    [Theory]
    [InlineData(new string[0], "a command is a non-empty argument vector")]
    [InlineData(new[] { "" }, "the program name is empty")]
    [InlineData(new[] { "  ", "x" }, "the program name is empty")]
    [InlineData(new[] { "echo", "a\0b" }, "argument 1 contains a NUL character")]
    [InlineData(new[] { "echo", "caf\uFFFD" }, "argument 1 is not valid UTF-8")]
    public void Should_refuse_what_cannot_be_a_command_and_say_which_argument(string[] argv, string reason) =>
        Assert.StartsWith(reason, ArgumentVector.Problem([.. argv]), StringComparison.Ordinal);

    [Fact]
    public void Should_refuse_an_unpaired_surrogate()
    {
        // Built at run time: an attribute's string would carry U+FFFD in its place.
        foreach (var argument in new[] { "x" + (char)0xD800, (char)0xDC00 + "x" })
            Assert.StartsWith("argument 1 is not valid Unicode", ArgumentVector.Problem(["echo", argument]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo")]
    [InlineData("echo|")]
    [InlineData("echo|café|日本|\U0001F600|<&>")]
    public void Should_accept_a_program_name_and_any_text_arguments_including_empty_ones(string joined) =>
        Assert.Null(ArgumentVector.Problem([.. joined.Split('|')]));
}
