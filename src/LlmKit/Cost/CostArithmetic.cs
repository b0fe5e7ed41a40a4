namespace LlmKit;

/// <summary>
/// The exact decimal arithmetic of the cost calculator: amounts are kept as a 64-bit mantissa and a decimal scale while
/// they fit (they always do for real prices and token counts) and composed into a <see cref="decimal"/> without trailing
/// zeros; past 64 bits the calculation falls back to <see cref="decimal"/> operations, with the same values.
/// </summary>
internal static class CostArithmetic
{
    /// <summary>mantissa × 10^-scale with trailing zeros trimmed (0.0030000 becomes 0.003), as <see cref="ScaleDown"/> does.</summary>
    /// <param name="mantissa">The mantissa.</param>
    /// <param name="scale">The number of decimal places, 0 to 28.</param>
    /// <returns>The value.</returns>
    public static decimal Compose(ulong mantissa, int scale)
    {
        if (mantissa == 0)
        {
            return 0m;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, false, (byte)scale);
    }

    /// <summary>
    /// tokens × rate ÷ 10^6, exactly, with trailing zeros trimmed (0.0030000 becomes 0.003). Dividing by 10^6 is done by
    /// raising the scale of the product, which is exact and several times faster than decimal division.
    /// </summary>
    /// <param name="tokens">The token count.</param>
    /// <param name="rate">USD per million tokens.</param>
    /// <returns>The amount in USD.</returns>
    public static decimal PerMillionTokens(long tokens, decimal rate) => ScaleDown(tokens * rate, 6);

    /// <summary>value ÷ 10^digits by raising the scale, with trailing zeros trimmed when the mantissa fits 64 bits.</summary>
    /// <param name="value">The value.</param>
    /// <param name="digits">The power of ten to divide by.</param>
    /// <returns>The value divided.</returns>
    public static decimal ScaleDown(decimal value, int digits)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        int scale = ((bits[3] >> 16) & 0xFF) + digits;
        if (scale > 28)
        {
            // Past decimal's 28 digits of scale: divide (rare; rounds like decimal division does).
            for (int i = 0; i < digits; i++)
            {
                value /= 10m;
            }

            return value;
        }

        if (bits[2] != 0)
        {
            return new decimal(bits[0], bits[1], bits[2], value < 0, (byte)scale);
        }

        ulong mantissa = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (mantissa == 0)
        {
            return 0m;
        }

        while (scale > 0 && mantissa % 10 == 0)
        {
            mantissa /= 10;
            scale--;
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, value < 0, (byte)scale);
    }

    /// <summary>
    /// A running sum of mantissas at decimal scales, as one 64-bit mantissa at the largest scale seen; adding fails (and the
    /// caller falls back to decimal addition) when aligning or adding would overflow 64 bits.
    /// </summary>
    public struct ExactSum
    {
        private ulong _sum;
        private int _scale;

        /// <summary>Gets the sum, without trailing zeros.</summary>
        public readonly decimal Value => Compose(_sum, _scale);

        /// <summary>Adds mantissa × 10^-scale, aligning scales.</summary>
        /// <param name="mantissa">The mantissa to add.</param>
        /// <param name="scale">Its scale.</param>
        /// <returns><see langword="false"/> when 64 bits would overflow; the sum is then unchanged.</returns>
        public bool TryAdd(ulong mantissa, int scale)
        {
            if (_sum == 0)
            {
                _sum = mantissa;
                _scale = scale;
                return true;
            }

            ulong sum = _sum;
            int sumScale = _scale;
            while (sumScale < scale)
            {
                if (sum > ulong.MaxValue / 10)
                {
                    return false;
                }

                sum *= 10;
                sumScale++;
            }

            while (scale < sumScale)
            {
                if (mantissa > ulong.MaxValue / 10)
                {
                    return false;
                }

                mantissa *= 10;
                scale++;
            }

            ulong total = sum + mantissa;
            if (total < sum)
            {
                return false;
            }

            _sum = total;
            _scale = sumScale;
            return true;
        }
    }
}
