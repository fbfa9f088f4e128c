package dev.flotilla.cli;

import dev.flotilla.core.FlotillaException;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.Evaluations;
import dev.flotilla.core.strategy.ModelEvaluator;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.djl.DjlEvaluator;
import dev.flotilla.djl.data.LabelledImages;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Central evaluation spread over several threads: the data set is cut into contiguous shards, each evaluated by its
 * own evaluator on a thread of its own, and the results are combined as the example-weighted mean of loss and of
 * every metric, in shard order. With one shard per core, an evaluation that has the machine to itself (the last
 * round's; the others run beside the next round's training) keeps every core busy instead of one. The result is the same in every run; it can differ from a
 * one-shard evaluation in the last digits, since the sums are taken in another order.
 *
 * <p>Thread-safe: calls are serialised. {@link #close()} stops the threads and closes the shards' evaluators.
 */
public final class ShardedEvaluator implements ModelEvaluator, AutoCloseable {
  private final List<ModelEvaluator> shards;
  private final ExecutorService threads;
  private boolean closed;

  /** An evaluator over {@code shards}, each run on a thread of its own; it takes ownership of them. */
  public ShardedEvaluator(List<? extends ModelEvaluator> shards) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("a sharded evaluator needs at least one shard");
    }
    this.shards = List.copyOf(shards);
    AtomicInteger n = new AtomicInteger();
    this.threads = Executors.newFixedThreadPool(shards.size(), r -> {
      Thread t = new Thread(r, "flotilla-sim-evaluator-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * A {@link DjlEvaluator} of model {@code model} over {@code data} cut into {@code shards} contiguous parts (fewer if
   * there are fewer examples).
   *
   * @throws IllegalArgumentException if {@code shards < 1} or the data set is empty
   */
  public static ShardedEvaluator djl(String model, LabelledImages data, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    }
    if (data.size() == 0) {
      throw new IllegalArgumentException("the evaluation data set is empty");
    }
    int parts = Math.min(shards, data.size());
    List<DjlEvaluator> evaluators = new ArrayList<>(parts);
    for (int s = 0; s < parts; s++) {
      int from = (int) ((long) data.size() * s / parts);
      int to = (int) ((long) data.size() * (s + 1) / parts);
      evaluators.add(new DjlEvaluator(model, data.subset(IntStream.range(from, to).toArray())));
    }
    return new ShardedEvaluator(evaluators);
  }

  /** Number of shards. */
  public int shards() {
    return shards.size();
  }

  /**
   * Evaluates {@code model} on every shard at once and combines the results.
   *
   * @throws FlotillaException if a shard fails, with its cause
   */
  @Override
  public synchronized EvaluateResult evaluate(ModelWeights model) {
    if (closed) {
      throw new IllegalStateException("the sharded evaluator is closed");
    }
    List<Future<EvaluateResult>> futures = new ArrayList<>(shards.size());
    for (ModelEvaluator shard : shards) {
      futures.add(threads.submit(() -> shard.evaluate(model)));
    }
    List<ClientResult<EvaluateResult>> results = new ArrayList<>(shards.size());
    for (int s = 0; s < futures.size(); s++) {
      try {
        results.add(new ClientResult<>("shard-" + s, futures.get(s).get()));
      } catch (InterruptedException e) {
        futures.forEach(f -> f.cancel(true));
        Thread.currentThread().interrupt();
        throw new FlotillaException("interrupted during central evaluation", e);
      } catch (ExecutionException e) {
        throw new FlotillaException("central evaluation of shard " + s + " failed: " + e.getCause(), e.getCause());
      }
    }
    return Evaluations.weightedMean(results)
        .orElseThrow(() -> new FlotillaException("central evaluation saw no examples"));
  }

  /** Stops the threads and closes every shard that is {@link AutoCloseable}. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    threads.shutdownNow();
    for (ModelEvaluator shard : shards) {
      if (shard instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception e) {
          throw new FlotillaException("closing an evaluator shard failed: " + e, e);
        }
      }
    }
  }
}
