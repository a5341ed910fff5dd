using System.Numerics;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// The slice of <c>np.random.default_rng(seed)</c> that verl's <c>RLHFDataset</c> uses to pick
/// <c>max_samples</c> rows with shuffling on: PCG64 (XSL-RR 128/64) seeded through NumPy's <c>SeedSequence</c>,
/// and <c>Generator.choice(n, size, replace=False)</c> (Floyd's algorithm with a final shuffle, or a tail shuffle
/// for large selections). Reproduces NumPy's stream exactly, so the same rows are chosen as in verl.
/// </summary>
public sealed class NumpyGenerator
{
    private static readonly UInt128 Multiplier = new(2549297995355413924UL, 4865540595714422341UL);
    private UInt128 _state;
    private readonly UInt128 _increment;
    private bool _hasBufferedUInt32;
    private uint _bufferedUInt32;

    /// <summary><c>np.random.default_rng(seed)</c> for a non-negative integer seed.</summary>
    public NumpyGenerator(BigInteger seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        var words = SeedSequence.GenerateState(SeedSequence.ToUInt32Words(seed), 8);
        var initialState = new UInt128(Combine(words[0], words[1]), Combine(words[2], words[3]));
        var sequence = new UInt128(Combine(words[4], words[5]), Combine(words[6], words[7]));
        _increment = (sequence << 1) | 1;
        _state = 0;
        Step();
        _state += initialState;
        Step();
    }

    public ulong NextUInt64()
    {
        Step();
        var high = (ulong)(_state >> 64);
        var low = (ulong)_state;
        return BitOperations.RotateRight(high ^ low, (int)(_state >> 122));
    }

    /// <summary>32-bit draws come from halves of one 64-bit draw, low half first, as in NumPy's PCG64.</summary>
    public uint NextUInt32()
    {
        if (_hasBufferedUInt32)
        {
            _hasBufferedUInt32 = false;
            return _bufferedUInt32;
        }

        var next = NextUInt64();
        _hasBufferedUInt32 = true;
        _bufferedUInt32 = (uint)(next >> 32);
        return (uint)next;
    }

    /// <summary><c>rng.choice(population, size, replace=False)</c> (shuffle on): distinct indices in NumPy's order.</summary>
    public long[] ChooseWithoutReplacement(long population, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, population);
        if (population > 10000 && size > population / 50)
        {
            // Tail shuffle: shuffle the last `size` positions of 0..population-1 and take them.
            var all = new long[population];
            for (var i = 0L; i < population; i++)
            {
                all[i] = i;
            }

            Shuffle(all, Math.Max(population - size, 1));
            return all[(int)(population - size)..];
        }

        var result = new long[size];
        if (size == 0)
        {
            return result;
        }

        // Floyd's algorithm with NumPy's open-addressing set of size "smallest power of two above 1.2 * size".
        var mask = BitMasks.Covering((ulong)(1.2 * size));
        var set = new ulong[mask + 1];
        Array.Fill(set, ulong.MaxValue);
        for (var j = population - size; j < population; j++)
        {
            var value = BoundedUInt64((ulong)j);
            var slot = value & mask;
            while (set[slot] != ulong.MaxValue && set[slot] != value)
            {
                slot = (slot + 1) & mask;
            }

            if (set[slot] == ulong.MaxValue)
            {
                set[slot] = value;
                result[j - population + size] = (long)value;
            }
            else
            {
                slot = (ulong)j & mask;
                while (set[slot] != ulong.MaxValue)
                {
                    slot = (slot + 1) & mask;
                }

                set[slot] = (ulong)j;
                result[j - population + size] = j;
            }
        }

        Shuffle(result, 1);
        return result;
    }

    // _shuffle_int: Fisher–Yates from the end down to `first`, each swap index drawn in [0, i].
    private void Shuffle(long[] data, long first)
    {
        for (var i = data.LongLength - 1; i >= first; i--)
        {
            var j = (long)BoundedUInt64((ulong)i);
            (data[i], data[j]) = (data[j], data[i]);
        }
    }

    /// <summary><c>random_bounded_uint64(0, max, use_masked=False)</c>: Lemire's method, a value in [0, max].</summary>
    private ulong BoundedUInt64(ulong max)
    {
        if (max == 0)
        {
            return 0;
        }

        if (max <= uint.MaxValue)
        {
            if (max == uint.MaxValue)
            {
                return NextUInt32();
            }

            var range = (uint)max + 1;
            var m = (ulong)NextUInt32() * range;
            var leftover = (uint)m;
            if (leftover < range)
            {
                var threshold = (uint.MaxValue - (uint)max) % range;
                while (leftover < threshold)
                {
                    m = (ulong)NextUInt32() * range;
                    leftover = (uint)m;
                }
            }

            return m >> 32;
        }

        if (max == ulong.MaxValue)
        {
            return NextUInt64();
        }

        var range64 = max + 1;
        var product = (UInt128)NextUInt64() * range64;
        var left = (ulong)product;
        if (left < range64)
        {
            var threshold = (ulong.MaxValue - max) % range64;
            while (left < threshold)
            {
                product = (UInt128)NextUInt64() * range64;
                left = (ulong)product;
            }
        }

        return (ulong)(product >> 64);
    }

    private void Step() => _state = unchecked(_state * Multiplier + _increment);

    private static ulong Combine(uint low, uint high) => ((ulong)high << 32) | low;
}
