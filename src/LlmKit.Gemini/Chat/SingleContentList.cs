using System.Collections;
using Microsoft.Extensions.AI;

namespace LlmKit;

/// <summary>
/// The contents of a streamed update that holds one item (nearly every text chunk): half the size of a
/// <see cref="List{T}"/> plus its array, and still a full, mutable <see cref="IList{T}"/> (it switches to a
/// list on the first change that needs one).
/// </summary>
internal sealed class SingleContentList : IList<AIContent>
{
    private AIContent? _item;
    private List<AIContent>? _list;

    public SingleContentList(AIContent item) => _item = item;

    public int Count => _list?.Count ?? (_item is null ? 0 : 1);

    public bool IsReadOnly => false;

    public AIContent this[int index]
    {
        get
        {
            if (_list is not null)
            {
                return _list[index];
            }

            ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
            return _item ?? throw new ArgumentOutOfRangeException(nameof(index));
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (_list is not null)
            {
                _list[index] = value;
                return;
            }

            ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
            if (_item is null)
            {
                throw new ArgumentOutOfRangeException(nameof(index));
            }

            _item = value;
        }
    }

    public void Add(AIContent item) => Grow().Add(item);

    public void Clear()
    {
        _list?.Clear();
        _item = null;
    }

    public bool Contains(AIContent item) => IndexOf(item) >= 0;

    public void CopyTo(AIContent[] array, int arrayIndex)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (_list is not null)
        {
            _list.CopyTo(array, arrayIndex);
        }
        else if (_item is not null)
        {
            array[arrayIndex] = _item;
        }
    }

    public IEnumerator<AIContent> GetEnumerator()
    {
        if (_list is not null)
        {
            return _list.GetEnumerator();
        }

        return One(_item);

        static IEnumerator<AIContent> One(AIContent? item)
        {
            if (item is not null)
            {
                yield return item;
            }
        }
    }

    public int IndexOf(AIContent item)
        => _list is not null ? _list.IndexOf(item) : _item is not null && ReferenceEquals(_item, item) ? 0 : -1;

    public void Insert(int index, AIContent item) => Grow().Insert(index, item);

    public bool Remove(AIContent item) => Grow().Remove(item);

    public void RemoveAt(int index) => Grow().RemoveAt(index);

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private List<AIContent> Grow()
    {
        if (_list is null)
        {
            _list = new List<AIContent>(4);
            if (_item is not null)
            {
                _list.Add(_item);
            }

            _item = null;
        }

        return _list;
    }
}
