namespace VerlOrleans.Evaluation.Metrics;

/// <summary>
/// NumPy's legacy global generator as <c>np.random.seed(s)</c> leaves it: MT19937 with the reference
/// <c>init_genrand</c>, and <c>randint</c>/<c>choice(n, replace=True)</c> below 2^32 drawing 32-bit outputs with masked
/// rejection (<c>v = next &amp; mask</c> until <c>v ≤ n−1</c>; nothing is drawn when n = 1). verl's bootstrap re-seeds
/// this with 42 on every call, so reproducing it is what makes best@k/worst@k/maj@k match bit for bit.
/// </summary>
public sealed class LegacyRandomState
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] _state = new uint[N];
    private int _index;

    public LegacyRandomState(uint seed)
    {
        _state[0] = seed;
        for (var i = 1; i < N; i++)
        {
            _state[i] = unchecked(1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i);
        }

        _index = N;
    }

    /// <summary><c>genrand_int32</c>.</summary>
    public uint NextUInt32()
    {
        if (_index >= N)
        {
            Twist();
        }

        var y = _state[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>One draw of <c>randint(0, n)</c> (legacy masked rejection), for 1 ≤ n ≤ 2^32.</summary>
    public long NextBelow(long n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 1L << 32);
        var max = (ulong)(n - 1);
        if (max == 0)
        {
            return 0;
        }

        if (max == uint.MaxValue)
        {
            return NextUInt32();
        }

        var mask = BitMasks.Covering(max);
        ulong value;
        do
        {
            value = NextUInt32() & mask;
        }
        while (value > max);

        return (long)value;
    }

    /// <summary><c>np.random.choice(n, size=(rows, columns), replace=True)</c>, row-major.</summary>
    public int[] ChooseWithReplacement(int n, int rows, int columns)
    {
        var indices = new int[rows * columns];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = (int)NextBelow(n);
        }

        return indices;
    }

    private void Twist()
    {
        for (var i = 0; i < N; i++)
        {
            var y = (_state[i] & 0x80000000u) | (_state[(i + 1) % N] & 0x7fffffffu);
            _state[i] = _state[(i + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
        }

        _index = 0;
    }
}
