using System.Buffers.Binary;
using System.IO.Compression;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace LlmKit;

/// <summary>
/// The ranks of one encoding: a map from token bytes to rank without allocation on lookup, and from rank to bytes.
/// </summary>
/// <remarks>
/// Tokens of up to 8 bytes sit in an open-addressing table keyed by the bytes packed into a <see cref="ulong"/>;
/// longer ones in a second table keyed by a 64-bit hash and compared byte by byte against the rank data. Every
/// two-byte sequence also has a direct 64 Ki entry table for the first round of merges. Lookups read 8 bytes at a
/// time, so callers keep <see cref="Padding"/> readable bytes after the text they look up.
/// </remarks>
internal sealed class BpeRankTable
{
    /// <summary>The rank returned for a byte sequence that is not a token.</summary>
    public const int NotFound = int.MaxValue;

    /// <summary>The number of readable bytes that must follow a looked-up sequence within its buffer.</summary>
    public const int Padding = 8;

    private const int HeaderLength = 9;

    private readonly byte[] _data;
    private readonly int[] _offsets;
    private readonly int[] _byteRanks = new int[256];
    private readonly int[] _pairRanks = new int[0x10000];
    private readonly ShortEntry[] _short;
    private readonly int _shortShift;
    private readonly LongEntry[] _long;
    private readonly int _longShift;

    private BpeRankTable(byte[] data, int count)
    {
        _data = data;
        _offsets = new int[count];
        int shortCount = 0;
        int offset = HeaderLength;
        for (int rank = 0; rank < count; rank++)
        {
            int length = data[offset];
            _offsets[rank] = offset + 1;
            shortCount += length <= 8 ? 1 : 0;
            offset += 1 + length;
        }

        if (offset != data.Length)
        {
            throw new InvalidDataException("The tokenizer rank data has trailing bytes.");
        }

        _short = new ShortEntry[TableSize(shortCount, out _shortShift)];
        _long = new LongEntry[TableSize(count - shortCount, out _longShift)];
        _pairRanks.AsSpan().Fill(NotFound);
        _byteRanks.AsSpan().Fill(NotFound);
        for (int rank = 0; rank < count; rank++)
        {
            ReadOnlySpan<byte> token = GetBytes(rank);
            if (token.Length <= 8)
            {
                ulong key = PackSlow(token);
                int slot = (int)((key * 0x9E3779B97F4A7C15UL) >> _shortShift);
                while (_short[slot].Length != 0)
                {
                    slot = (slot + 1) & (_short.Length - 1);
                }

                _short[slot] = new ShortEntry(key, rank, token.Length);
                if (token.Length == 1)
                {
                    _byteRanks[token[0]] = rank;
                }
                else if (token.Length == 2)
                {
                    _pairRanks[(token[0] << 8) | token[1]] = rank;
                }
            }
            else
            {
                ulong hash = LongHash(token);
                int slot = (int)(hash >> _longShift);
                while (_long[slot].Length != 0)
                {
                    slot = (slot + 1) & (_long.Length - 1);
                }

                _long[slot] = new LongEntry(hash, rank, token.Length);
            }
        }

        foreach (int rank in _byteRanks)
        {
            if (rank == NotFound)
            {
                throw new InvalidDataException("The tokenizer rank data lacks a single-byte token.");
            }
        }
    }

    /// <summary>Gets the number of ranks.</summary>
    public int Count => _offsets.Length;

    /// <summary>Loads the embedded, compressed ranks of an encoding and checks them against their recorded SHA-256.</summary>
    /// <param name="definition">The encoding.</param>
    /// <returns>The ranks.</returns>
    /// <exception cref="InvalidDataException">The embedded data is missing or differs from what was recorded.</exception>
    public static BpeRankTable Load(TiktokenEncodingDefinition definition)
    {
        using Stream compressed = typeof(BpeRankTable).Assembly.GetManifestResourceStream(definition.ResourceName)
            ?? throw new InvalidDataException($"The embedded resource '{definition.ResourceName}' is missing from {typeof(BpeRankTable).Assembly.GetName().Name}.");
        byte[] data = new byte[definition.DataLength];
        using (var brotli = new BrotliStream(compressed, CompressionMode.Decompress))
        {
            brotli.ReadExactly(data);
            if (brotli.ReadByte() != -1)
            {
                throw new InvalidDataException($"The rank data of {definition.Name} is longer than recorded.");
            }
        }

        string sha256 = Convert.ToHexStringLower(SHA256.HashData(data));
        if (sha256 != definition.DataSha256)
        {
            throw new InvalidDataException($"The rank data of {definition.Name} has SHA-256 {sha256}, not the recorded {definition.DataSha256}.");
        }

        if (!data.AsSpan(0, 5).SequenceEqual("LKTR\u0001"u8) || BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(5)) != definition.RankCount)
        {
            throw new InvalidDataException($"The rank data of {definition.Name} has an unexpected header.");
        }

        return new BpeRankTable(data, definition.RankCount);
    }

    /// <summary>Gets the bytes of a rank.</summary>
    /// <param name="rank">The rank, from 0 to <see cref="Count"/> - 1.</param>
    /// <returns>The token's bytes.</returns>
    public ReadOnlySpan<byte> GetBytes(int rank)
    {
        int offset = _offsets[rank];
        return new ReadOnlySpan<byte>(_data, offset, _data[offset - 1]);
    }

    /// <summary>Gets the rank of a single byte.</summary>
    /// <param name="value">The byte.</param>
    /// <returns>Its rank.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetByteRank(byte value) => _byteRanks[value];

    /// <summary>Gets the rank of a two-byte sequence.</summary>
    /// <param name="first">The first byte.</param>
    /// <param name="second">The second byte.</param>
    /// <returns>Its rank, or <see cref="NotFound"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetPairRank(byte first, byte second) => _pairRanks[(first << 8) | second];

    /// <summary>Gets the rank of <c>buffer[start..(start + length)]</c>.</summary>
    /// <param name="buffer">The buffer; <see cref="Padding"/> readable bytes must follow the sequence.</param>
    /// <param name="start">The start of the sequence.</param>
    /// <param name="length">The length of the sequence, at least 1.</param>
    /// <returns>The rank, or <see cref="NotFound"/>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int GetRank(ReadOnlySpan<byte> buffer, int start, int length)
    {
        if (length <= 8)
        {
            ulong key = BinaryPrimitives.ReadUInt64LittleEndian(buffer.Slice(start)) & (ulong.MaxValue >> (64 - (length * 8)));
            ShortEntry[] table = _short;
            int mask = table.Length - 1;
            int slot = (int)((key * 0x9E3779B97F4A7C15UL) >> _shortShift);
            while (true)
            {
                ref ShortEntry entry = ref table[slot];
                if (entry.Key == key && entry.Length == length)
                {
                    return entry.Rank;
                }

                if (entry.Length == 0)
                {
                    return NotFound;
                }

                slot = (slot + 1) & mask;
            }
        }

        return GetLongRank(buffer.Slice(start, length));
    }

    private int GetLongRank(ReadOnlySpan<byte> token)
    {
        ulong hash = LongHash(token);
        LongEntry[] table = _long;
        int mask = table.Length - 1;
        int slot = (int)(hash >> _longShift);
        while (true)
        {
            ref LongEntry entry = ref table[slot];
            if (entry.Length == 0)
            {
                return NotFound;
            }

            if (entry.Hash == hash && entry.Length == token.Length && GetBytes(entry.Rank).SequenceEqual(token))
            {
                return entry.Rank;
            }

            slot = (slot + 1) & mask;
        }
    }

    private static int TableSize(int count, out int shift)
    {
        // At most ~2/3 full: linear probing stays short for the many misses that merging looks up.
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, count + (count / 2)));
        shift = 64 - BitOperations.Log2((uint)size);
        return size;
    }

    private static ulong PackSlow(ReadOnlySpan<byte> token)
    {
        ulong key = 0;
        for (int i = token.Length - 1; i >= 0; i--)
        {
            key = (key << 8) | token[i];
        }

        return key;
    }

    private static ulong LongHash(ReadOnlySpan<byte> token)
    {
        // Tokens are 9 to 255 bytes: mix the first, middle and last 8 bytes and the length.
        ulong first = BinaryPrimitives.ReadUInt64LittleEndian(token);
        ulong middle = BinaryPrimitives.ReadUInt64LittleEndian(token.Slice((token.Length - 8) / 2));
        ulong last = BinaryPrimitives.ReadUInt64LittleEndian(token.Slice(token.Length - 8));
        ulong hash = (first ^ ((ulong)token.Length * 0x9E3779B97F4A7C15UL)) * 0xC2B2AE3D27D4EB4FUL;
        hash = (BitOperations.RotateLeft(hash, 31) ^ middle) * 0x165667B19E3779F9UL;
        hash = (BitOperations.RotateLeft(hash, 27) ^ last) * 0x27D4EB2F165667C5UL;
        return hash ^ (hash >> 29);
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct ShortEntry(ulong key, int rank, int length)
    {
        public readonly ulong Key = key;
        public readonly int Rank = rank;
        public readonly int Length = length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private readonly struct LongEntry(ulong hash, int rank, int length)
    {
        public readonly ulong Hash = hash;
        public readonly int Rank = rank;
        public readonly int Length = length;
    }
}
