using Microsoft.Extensions.Options;
using VerlOrleans.Contracts.Cluster;
using VerlOrleans.Grains.Cluster;
using VerlOrleans.Grains.Hosting;

namespace VerlOrleans.Grains.Models;

/// <summary>
/// The memory budget of this silo's devices and the models resident on them. Pure bookkeeping (thread-safe):
/// model grains reserve before they load and release when they unload; when no device has room the least
/// recently used idle models are named for eviction.
/// </summary>
public sealed class SiloModelResidency(LocalSiloInventory inventory, IOptions<GridOptions> options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResidentModel> _resident = new(StringComparer.Ordinal);

    /// <summary>Every model holding memory here.</summary>
    public IReadOnlyList<ResidentModel> Resident
    {
        get
        {
            lock (_gate)
            {
                return _resident.Values.ToList();
            }
        }
    }

    /// <summary>Budget of a device: its memory times the configured fraction, capped by the configured limit.</summary>
    public long Capacity(ComputeDeviceInfo device)
    {
        var fraction = (long)(device.TotalMemoryBytes * options.Value.DeviceMemoryFraction);
        return options.Value.DeviceMemoryLimitBytes is { } limit ? Math.Min(limit, fraction) : fraction;
    }

    /// <summary>Bytes still free in a device's budget.</summary>
    public long Free(ComputeDeviceInfo device)
    {
        lock (_gate)
        {
            return Capacity(device) - _resident.Values.Where(m => m.Device == device.Id).Sum(m => m.Bytes);
        }
    }

    /// <summary>
    /// Plans room for <paramref name="bytes"/>: the device to use (GPUs before the CPU) and the idle models to
    /// evict first, least recently used first. Null when even evicting every idle model leaves no room.
    /// A model already resident keeps its device.
    /// </summary>
    public (string Device, IReadOnlyList<string> Evict)? Plan(string key, long bytes)
    {
        lock (_gate)
        {
            if (_resident.TryGetValue(key, out var existing))
            {
                return (existing.Device, []);
            }

            var devices = inventory.Devices().OrderBy(d => d.Kind == "cuda" ? 0 : 1).ThenBy(d => d.Id, StringComparer.Ordinal).ToList();
            foreach (var device in devices)
            {
                var free = Capacity(device) - _resident.Values.Where(m => m.Device == device.Id).Sum(m => m.Bytes);
                if (free >= bytes)
                {
                    return (device.Id, []);
                }
            }

            foreach (var device in devices)
            {
                var free = Capacity(device) - _resident.Values.Where(m => m.Device == device.Id).Sum(m => m.Bytes);
                var evict = new List<string>();
                foreach (var idle in _resident.Values.Where(m => m.Device == device.Id && !m.Busy).OrderBy(m => m.LastUsed))
                {
                    if (free >= bytes)
                    {
                        break;
                    }

                    evict.Add(idle.Key);
                    free += idle.Bytes;
                }

                if (free >= bytes)
                {
                    return (device.Id, evict);
                }
            }

            return null;
        }
    }

    /// <summary>Records that a model now holds memory on a device.</summary>
    public void Reserve(string key, string device, long bytes)
    {
        lock (_gate)
        {
            _resident[key] = new ResidentModel(key, device, bytes, clock.GetUtcNow(), Busy: false);
        }
    }

    /// <summary>Marks a resident model busy (requests in flight) or idle, and refreshes its last use.</summary>
    public void Touch(string key, bool busy)
    {
        lock (_gate)
        {
            if (_resident.TryGetValue(key, out var model))
            {
                _resident[key] = model with { LastUsed = clock.GetUtcNow(), Busy = busy };
            }
        }
    }

    /// <summary>Frees a model's memory in the budget.</summary>
    public void Release(string key)
    {
        lock (_gate)
        {
            _resident.Remove(key);
        }
    }
}
