using System.Numerics;

namespace VerlOrleans.Evaluation.Datasets;

/// <summary>
/// NumPy's <c>SeedSequence</c> (pool of 4 words, no spawn key): hashes an integer seed of any size into the
/// state words a bit generator starts from.
/// </summary>
internal static class SeedSequence
{
    private const int PoolSize = 4;
    private const uint InitA = 0x43b0d7e5;
    private const uint MultA = 0x931e8875;
    private const uint InitB = 0x8b51f9dd;
    private const uint MultB = 0x58f38ded;
    private const uint MixMultL = 0xca01f9dd;
    private const uint MixMultR = 0x4973f715;
    private const int XShift = 16;

    /// <summary>The seed as little-endian 32-bit words (0 becomes one zero word), as <c>_coerce_to_uint32_array</c>.</summary>
    public static uint[] ToUInt32Words(BigInteger seed)
    {
        if (seed.IsZero)
        {
            return [0];
        }

        var words = new List<uint>();
        while (seed > 0)
        {
            words.Add((uint)(seed & uint.MaxValue));
            seed >>= 32;
        }

        return [.. words];
    }

    /// <summary><c>SeedSequence(entropy).generate_state(count, uint32)</c>.</summary>
    public static uint[] GenerateState(uint[] entropy, int count)
    {
        var pool = MixEntropy(entropy);
        var hashConst = InitB;
        var state = new uint[count];
        for (var i = 0; i < count; i++)
        {
            var value = pool[i % PoolSize];
            unchecked
            {
                value ^= hashConst;
                hashConst *= MultB;
                value *= hashConst;
            }

            value ^= value >> XShift;
            state[i] = value;
        }

        return state;
    }

    private static uint[] MixEntropy(uint[] entropy)
    {
        var hashConst = InitA;
        uint HashMix(uint value)
        {
            unchecked
            {
                value ^= hashConst;
                hashConst *= MultA;
                value *= hashConst;
            }

            return value ^ (value >> XShift);
        }

        static uint Mix(uint x, uint y)
        {
            var result = unchecked((MixMultL * x) - (MixMultR * y));
            return result ^ (result >> XShift);
        }

        var pool = new uint[PoolSize];
        for (var i = 0; i < PoolSize; i++)
        {
            pool[i] = HashMix(i < entropy.Length ? entropy[i] : 0u);
        }

        for (var source = 0; source < PoolSize; source++)
        {
            for (var destination = 0; destination < PoolSize; destination++)
            {
                if (source != destination)
                {
                    pool[destination] = Mix(pool[destination], HashMix(pool[source]));
                }
            }
        }

        for (var source = PoolSize; source < entropy.Length; source++)
        {
            for (var destination = 0; destination < PoolSize; destination++)
            {
                pool[destination] = Mix(pool[destination], HashMix(entropy[source]));
            }
        }

        return pool;
    }
}
