namespace LlmKit;

/// <summary>
/// Reciprocal rank fusion (Cormack, Clarke and Buettcher, 2009): each list adds 1 / (k + rank) to an item's score, ranks
/// counted from 1, so items ranked high by several lists rise without comparing the lists' raw scores.
/// </summary>
internal static class ReciprocalRankFusion
{
    /// <summary>The k of the original paper; damps the weight of the very first ranks.</summary>
    public const int DefaultK = 60;

    public static List<(T Item, double Score)> Fuse<T, TId>(IReadOnlyList<IReadOnlyList<T>> rankings, Func<T, TId> idOf, int k = DefaultK)
        where TId : notnull
    {
        var scores = new Dictionary<TId, (T Item, double Score, int FirstSeen)>();
        int order = 0;
        foreach (IReadOnlyList<T> ranking in rankings)
        {
            for (int rank = 0; rank < ranking.Count; rank++)
            {
                TId id = idOf(ranking[rank]);
                double add = 1.0 / (k + rank + 1);
                scores[id] = scores.TryGetValue(id, out var seen)
                    ? (seen.Item, seen.Score + add, seen.FirstSeen)
                    : (ranking[rank], add, order++);
            }
        }

        // Ties keep the order in which items were first seen (the first ranking's order first), so results are stable.
        return [.. scores.Values.OrderByDescending(s => s.Score).ThenBy(s => s.FirstSeen).Select(s => (s.Item, s.Score))];
    }
}
