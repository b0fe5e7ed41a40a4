using System.Collections;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The contents of a streamed update that carries one item (almost every update): a list of one that costs a
/// third of a <see cref="List{T}"/> (one object of one field) and turns into a <see cref="List{T}"/> when it
/// has to hold anything else.
/// </summary>
internal sealed class UpdateContents : IList<AIContent>, IReadOnlyList<AIContent>
{
    // The single item, or the list once the contents changed shape; null when empty.
    private object? _items;

    public UpdateContents(AIContent item) => _items = item;

    public int Count => _items switch
    {
        null => 0,
        List<AIContent> list => list.Count,
        _ => 1,
    };

    public bool IsReadOnly => false;

    public AIContent this[int index]
    {
        get => _items switch
        {
            List<AIContent> list => list[index],
            AIContent single when index == 0 => single,
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            switch (_items)
            {
                case List<AIContent> list:
                    list[index] = value;
                    break;
                case AIContent when index == 0:
                    _items = value;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(index));
            }
        }
    }

    public void Add(AIContent item) => AsList().Add(item);

    public void Clear() => _items = null;

    public bool Contains(AIContent item) => IndexOf(item) >= 0;

    public void CopyTo(AIContent[] array, int arrayIndex)
    {
        switch (_items)
        {
            case List<AIContent> list:
                list.CopyTo(array, arrayIndex);
                break;
            case AIContent single:
                array[arrayIndex] = single;
                break;
        }
    }

    public IEnumerator<AIContent> GetEnumerator() => _items switch
    {
        List<AIContent> list => list.GetEnumerator(),
        AIContent single => Single(single),
        _ => Enumerable.Empty<AIContent>().GetEnumerator(),
    };

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public int IndexOf(AIContent item) => _items switch
    {
        List<AIContent> list => list.IndexOf(item),
        AIContent single when ReferenceEquals(single, item) => 0,
        _ => -1,
    };

    public void Insert(int index, AIContent item) => AsList().Insert(index, item);

    public bool Remove(AIContent item) => AsList().Remove(item);

    public void RemoveAt(int index) => AsList().RemoveAt(index);

    private static IEnumerator<AIContent> Single(AIContent item)
    {
        yield return item;
    }

    private List<AIContent> AsList()
    {
        switch (_items)
        {
            case List<AIContent> list:
                return list;
            case AIContent single:
                var grown = new List<AIContent>(4) { single };
                _items = grown;
                return grown;
            default:
                var empty = new List<AIContent>(4);
                _items = empty;
                return empty;
        }
    }
}
