using Microsoft.Extensions.AI;

namespace LlmKit.Tests.Conversations;

public class MessageGroupsTests
{
    [Fact]
    public void Split_ToolCallsAndResults_OneGroupSystemMessagesInNone()
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, "s"),                                                                  // 0
            new(ChatRole.User, "u"),                                                                    // 1
            new(ChatRole.Assistant, [new FunctionCallContent("1", "f"), new FunctionCallContent("2", "g")]), // 2
            new(ChatRole.Tool, [new FunctionResultContent("1", "r1")]),                                 // 3
            new(ChatRole.Tool, [new FunctionResultContent("2", "r2")]),                                 // 4
            new(ChatRole.Assistant, "done"),                                                            // 5
            new(ChatRole.User, [new FunctionResultContent("3", "r3")]),                                 // 6: a result sent with a user role
            new(ChatRole.User, "next"),                                                                 // 7
        ];

        var groups = MessageGroups.Split(messages);

        Assert.Equal([(1, 1), (2, 4), (5, 6), (7, 7)], groups);
    }
}
