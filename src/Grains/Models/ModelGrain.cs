using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using VerlOrleans.Contracts.Catalog;
using VerlOrleans.Contracts.Models;
using VerlOrleans.Grains.Hosting;
using VerlOrleans.Grains.Models.Placement;
using VerlOrleans.Inference.Engine;
using VerlOrleans.Inference.Sampling;

namespace VerlOrleans.Grains.Models;

/// <summary>
/// Keeps one model resident and serves every caller through its engine. Reentrant: generate calls from many runs
/// interleave and meet in the engine's batches. Memory is reserved in this silo's device budget before loading
/// (evicting least recently used idle models when needed) and released on unload or idle timeout.
/// </summary>
[Reentrant]
[DeviceAwarePlacement]
public sealed class ModelGrain(
    SiloModelResidency residency,
    ModelEngineFactory engines,
    ILocalSiloDetails silo,
    IOptions<GridOptions> options,
    TimeProvider clock) : Grain, IModelGrain
{
    private InferenceEngine? _engine;
    private Task? _loading;
    private ModelLoadSpec? _spec;
    private ModelState _state = ModelState.Unloaded;
    private string? _device, _error;
    private bool _noRoom;
    private RunnerInfo? _info;
    private DateTimeOffset? _loadedAt;
    private DateTimeOffset _lastUsed;
    private int _inFlight;
    private ModelStatus? _reported;
    private DateTimeOffset _reportedAt;

    /// <summary>An unchanged model reports again this often: a catalog that lost its soft state (its silo died) relearns it.</summary>
    private static readonly TimeSpan ReportRefresh = TimeSpan.FromSeconds(15);

    private string Key => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, options.Value.ModelIdleUnloadAfter.Ticks / 4));
        this.RegisterGrainTimer(UnloadIfIdleAsync, new GrainTimerCreationOptions(period, period) { Interleave = true });
        // The models page shows queue depth and throughput live: report a changed status every second.
        this.RegisterGrainTimer(ReportIfChangedAsync, new GrainTimerCreationOptions(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>Lets the requests in flight finish (the silo stopping under them) before the weights go, until the deadline.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        while (_inFlight > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), clock, CancellationToken.None);
        }

        await ReleaseAsync();
    }

    public Task<ModelStatus> LoadAsync(ModelLoadSpec spec)
    {
        StartLoading(spec);
        return Task.FromResult(Status());
    }

    public async Task<GenerationReply> GenerateAsync(ModelLoadSpec spec, GenerationCall call, CancellationToken cancellationToken)
    {
        var engine = await AcquireAsync(spec, cancellationToken);
        try
        {
            var result = await engine.GenerateAsync(Request(call), cancellationToken);
            return new GenerationReply(
                result.PromptTokenCount,
                result.Sequences.Select(s => new GeneratedSequence(s.Index, s.TokenIds, s.Text ?? string.Empty, s.FinishReason.ToWireName(), LogprobContracts.From(s.Logprobs))).ToList(),
                LogprobContracts.FromPrompt(result.PromptLogprobs));
        }
        catch (ObjectDisposedException e)
        {
            throw new ModelUnloadedException($"model {Key} was unloaded from {silo.SiloAddress} while this call ran; call again", e);
        }
        finally
        {
            Release();
        }
    }

    public async IAsyncEnumerable<GenerationChunk> StreamAsync(ModelLoadSpec spec, GenerationCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var engine = await AcquireAsync(spec, cancellationToken);
        try
        {
            await foreach (var update in engine.StreamAsync(Request(call), cancellationToken))
            {
                yield return new GenerationChunk(update.SequenceIndex, update.TokenIds, update.Text, update.FinishReason?.ToWireName(),
                    LogprobContracts.From(update.Logprobs), LogprobContracts.FromPrompt(update.PromptLogprobs));
            }
        }
        finally
        {
            Release();
        }
    }

    public Task<ModelStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task UnloadAsync()
    {
        await ReleaseAsync();
        DeactivateOnIdle();
    }

    /// <summary>Waits for the engine and counts the caller in flight (a busy model is never evicted).</summary>
    private async Task<InferenceEngine> AcquireAsync(ModelLoadSpec spec, CancellationToken cancellationToken)
    {
        await StartLoading(spec).WaitAsync(cancellationToken);
        var engine = _engine ?? throw new InvalidOperationException($"model {Key} is not loaded: {_error}");
        _inFlight++;
        residency.Touch(Key, busy: true);
        return engine;
    }

    private void Release()
    {
        _inFlight--;
        _lastUsed = clock.GetUtcNow();
        residency.Touch(Key, busy: _inFlight > 0);
    }

    private static GenerationRequest Request(GenerationCall call) => new(call.PromptTokenIds, ToParams(call.Sampling)) { CallerId = call.CallerId };

    private Task StartLoading(ModelLoadSpec spec)
    {
        if (_loading is not null && _state != ModelState.Failed)
        {
            return _loading;
        }

        _spec = spec;
        _state = ModelState.Loading;
        _error = null;
        _loading = LoadInBackgroundAsync(spec);
        return _loading;
    }

    private async Task LoadInBackgroundAsync(ModelLoadSpec spec)
    {
        try
        {
            // Size it for the CPU first (float32, the largest case), then exactly for the device chosen.
            var bytes = await Task.Run(() => engines.EstimateBytes(spec.ModelPath, "cpu", spec.DType));
            var plan = residency.Plan(Key, bytes) ?? throw new NoModelRoomException(
                $"model {Key} needs {bytes} bytes; no device of silo {silo.SiloAddress} has that much room even after unloading its idle models (the resident ones are in use)");
            foreach (var victim in plan.Evict)
            {
                await GrainFactory.GetGrain<IModelGrain>(victim).UnloadAsync();
            }

            var exact = plan.Device == "cpu" ? bytes : await Task.Run(() => engines.EstimateBytes(spec.ModelPath, plan.Device, spec.DType));
            residency.Reserve(Key, plan.Device, exact);
            _device = plan.Device;
            _engine = engines.Start(Key, spec.ModelPath, plan.Device, spec.DType);
            _info = await _engine.Ready;
            _state = ModelState.Ready;
            _loadedAt = _lastUsed = clock.GetUtcNow();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await ReleaseAsync();
            _state = ModelState.Failed;
            _error = e.Message;
            _noRoom = e is NoModelRoomException;
            throw;
        }
        finally
        {
            await ReportAsync();
        }
    }

    private async Task UnloadIfIdleAsync(CancellationToken cancellationToken)
    {
        if (_state == ModelState.Ready && _inFlight == 0 && clock.GetUtcNow() - _lastUsed >= options.Value.ModelIdleUnloadAfter)
        {
            await UnloadAsync();
        }
        else if (_state == ModelState.Ready)
        {
            await ReportAsync();
        }
    }

    private async Task ReleaseAsync()
    {
        var engine = _engine;
        _engine = null;
        _loading = null;
        _info = null;
        _state = ModelState.Unloaded;
        residency.Release(Key);
        if (engine is not null)
        {
            await engine.DisposeAsync();
            await ReportAsync();
        }
    }

    /// <summary>Tells the catalog; a catalog gone with its silo (or this one stopping) hears of the model at its next change.</summary>
    private async Task ReportAsync()
    {
        var status = Status();
        try
        {
            await GrainFactory.GetGrain<ICatalogGrain>(ICatalogGrain.SingletonKey).TrackModelAsync(status);
            _reported = status;
            _reportedAt = clock.GetUtcNow();
        }
        catch (Exception e) when (ClusterRetry.IsTransient(e) || e is ObjectDisposedException)
        {
            _reported = null;
        }
    }

    private Task ReportIfChangedAsync(CancellationToken cancellationToken) =>
        _state != ModelState.Unloaded && (Status() != _reported || clock.GetUtcNow() - _reportedAt > ReportRefresh) ? ReportAsync() : Task.CompletedTask;

    private ModelStatus Status()
    {
        var metrics = _engine?.Metrics;
        return new ModelStatus
        {
            Key = Key,
            State = _state,
            ModelPath = _spec?.ModelPath,
            Silo = silo.SiloAddress.ToParsableString(),
            Device = _device,
            DType = _info?.DType,
            WeightBytes = _info?.WeightBytes ?? 0,
            KvCacheBytes = _info?.KvCacheBytes ?? 0,
            WaitingRequests = metrics?.WaitingRequests ?? 0,
            ActiveSequences = metrics?.ActiveSequences ?? 0,
            TokensPerSecond = metrics?.GeneratedTokensPerSecond ?? 0,
            GeneratedTokens = metrics?.GeneratedTokens ?? 0,
            Steps = metrics?.Steps ?? 0,
            MaxStepCallers = metrics?.MaxStepCallers ?? 0,
            LoadedAt = _loadedAt,
            LastUsedAt = _state == ModelState.Ready ? _lastUsed : null,
            Error = _error,
            NoRoom = _noRoom && _state == ModelState.Failed,
        };
    }

    private static SamplingParams ToParams(SamplingSettings s) => new()
    {
        N = s.N,
        Temperature = s.Temperature,
        TopP = s.TopP,
        TopK = s.TopK,
        MinP = s.MinP,
        Seed = s.Seed,
        MaxTokens = s.MaxTokens,
        StopTokenIds = s.StopTokenIds,
        Stop = s.Stop,
        Logprobs = s.Logprobs,
        PromptLogprobs = s.PromptLogprobs,
    };
}
