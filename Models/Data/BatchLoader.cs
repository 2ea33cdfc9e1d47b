using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Dsl.Models.Data.Augment;

namespace Dsl.Models.Data;

/// <summary>Settings of a <see cref="BatchLoader"/>.</summary>
public sealed record BatchLoaderOptions
{
    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the shuffle and of every augmentation.</summary>
    public long Seed { get; init; }

    /// <summary>Shuffle the order every epoch (seeded by (Seed, epoch)).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Drop the last batch when it is smaller than <see cref="BatchSize"/>.</summary>
    public bool DropLast { get; init; }

    /// <summary>Batches prepared ahead of the consumer (the bounded queue's capacity).</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Threads augmenting the images of a batch in parallel (default: processor count).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;
}

/// <summary>
/// One batch: <see cref="Views"/> holds one NCHW float array per view (two for contrastive methods),
/// with the data set indices and labels (-1 when unlabelled) of its images.
/// </summary>
/// <param name="Epoch">The epoch it belongs to.</param>
/// <param name="Index">Its position in the epoch.</param>
/// <param name="Indices">Data set index of each image.</param>
/// <param name="Labels">Label of each image (-1 when unlabelled).</param>
/// <param name="Views">One Count·Channels·Height·Width array per view.</param>
/// <param name="Channels">Channels per image.</param>
/// <param name="Height">Height of every image.</param>
/// <param name="Width">Width of every image.</param>
public sealed record Batch(int Epoch, int Index, int[] Indices, long[] Labels, float[][] Views, int Channels, int Height, int Width)
{
    /// <summary>Number of images.</summary>
    public int Count => Indices.Length;

    /// <summary>Floats per image.</summary>
    public int ImageSize => Channels * Height * Width;
}

/// <summary>
/// Produces augmented batches on background threads: a producer fills a bounded
/// <see cref="Channel{T}"/> (capacity <see cref="BatchLoaderOptions.Prefetch"/>), augmenting the images
/// of each batch in parallel. Every image of every view gets its own <see cref="SampleRandom"/> from
/// (seed, epoch, index, view), so the output is identical whatever the worker count or timing.
/// A worker's exception is rethrown to the consumer; cancelling or leaving the loop stops the producer.
/// </summary>
public sealed class BatchLoader
{
    readonly ImageDataset _data;
    readonly AugmentationPipeline[] _views;

    /// <summary>Creates a loader.</summary>
    /// <param name="data">The images.</param>
    /// <param name="options">Batch size, seed, prefetch, workers.</param>
    /// <param name="views">One pipeline per view (e.g. the SimCLR pipeline twice, or Barlow Twins' pair); none = the images as stored.</param>
    /// <exception cref="ArgumentException">Bad options, or the views disagree on the output shape.</exception>
    public BatchLoader(ImageDataset data, BatchLoaderOptions options, params AugmentationPipeline[] views)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize <= 0 || options.Prefetch <= 0 || options.Workers <= 0)
            throw new ArgumentException("BatchSize, Prefetch and Workers must be positive.", nameof(options));
        _data = data;
        Options = options;
        _views = views.Length == 0 ? [new AugmentationPipeline()] : views;
        var shapes = _views.Select(v => v.OutputShape(data.Channels, data.Height, data.Width)).Distinct().ToArray();
        if (shapes.Length != 1)
            throw new ArgumentException($"The views produce different shapes: {string.Join(", ", shapes)}.", nameof(views));
        (Channels, Height, Width) = shapes[0];
    }

    /// <summary>The settings.</summary>
    public BatchLoaderOptions Options { get; }

    /// <summary>Channels of the output images.</summary>
    public int Channels { get; }

    /// <summary>Height of the output images.</summary>
    public int Height { get; }

    /// <summary>Width of the output images.</summary>
    public int Width { get; }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => Options.DropLast ? _data.Count / Options.BatchSize : (_data.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The order of the data set indices in <paramref name="epoch"/>.</summary>
    public int[] Order(int epoch) =>
        Options.Shuffle ? EpochOrder.Shuffled(_data.Count, Options.Seed, epoch) : Enumerable.Range(0, _data.Count).ToArray();

    /// <summary>Builds batch <paramref name="index"/> of <paramref name="epoch"/> on the calling thread (and the pool).</summary>
    public Batch MakeBatch(int epoch, int index, int[] order, CancellationToken cancellationToken = default)
    {
        int start = index * Options.BatchSize, count = Math.Min(Options.BatchSize, order.Length - start);
        var indices = order.AsSpan(start, count).ToArray();
        var labels = new long[count];
        int size = Channels * Height * Width;
        var views = new float[_views.Length][];
        for (int v = 0; v < views.Length; v++) views[v] = new float[count * size];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Options.Workers, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, count * _views.Length, parallel, job =>
            {
                int b = job / _views.Length, v = job % _views.Length, sample = indices[b];
                if (v == 0) labels[b] = _data.Labels is null ? -1 : _data.Labels[sample];
                var random = new SampleRandom(Options.Seed, epoch, sample, v);
                var image = _views[v].Apply(_data.Image(sample), _data.Channels, _data.Height, _data.Width, random);
                if (image.Data.Length != size)
                    throw new InvalidOperationException($"View {v} produced a {image.Channels}x{image.Height}x{image.Width} image, expected {Channels}x{Height}x{Width}.");
                image.Data.CopyTo(views[v].AsSpan(b * size, size));
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return new Batch(epoch, index, indices, labels, views, Channels, Height, Width);
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/>, prepared in the background up to
    /// <see cref="BatchLoaderOptions.Prefetch"/> ahead. A worker's exception is thrown from the enumeration.
    /// </summary>
    public async IAsyncEnumerable<Batch> EpochAsync(int epoch, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<Batch>(new BoundedChannelOptions(Options.Prefetch) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var order = Order(epoch);
        int batches = BatchCount;
        var producer = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < batches; i++)
                    await channel.Writer.WriteAsync(MakeBatch(epoch, i, order, stop.Token), stop.Token).ConfigureAwait(false);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        }, stop.Token);
        try
        {
            await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return batch;
            }
            await producer.ConfigureAwait(false); // rethrows a worker's exception
        }
        finally
        {
            stop.Cancel();
            try { await producer.ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            catch when (cancellationToken.IsCancellationRequested) { }
        }
    }

    /// <summary>The batches of <paramref name="epoch"/> as a blocking enumeration (see <see cref="EpochAsync"/>).</summary>
    public IEnumerable<Batch> Epoch(int epoch, CancellationToken cancellationToken = default) =>
        EpochAsync(epoch, cancellationToken).ToBlockingEnumerable(cancellationToken);
}
