package dev.flotilla.bench.w3;

import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.AggregateResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ClientTask;
import dev.flotilla.core.strategy.FedAvg;
import dev.flotilla.core.strategy.ResultStream;
import dev.flotilla.core.strategy.RoundContext;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FedAvg (all clients train, no evaluation) that timestamps each round the way Flower's {@code TimedFedAvg} of
 * {@code w3_overhead.py} does, plus a per-client timeline: {@code configureTrain} start and end, {@code
 * aggregateTrain} start and end, and for each result when the stream handed it out (received, decoded and
 * validated) and when FedAvg had folded it. Clients report when their app ran ({@link PlusDeltaApp#APP_START},
 * {@link PlusDeltaApp#APP_END}). FedAvg's own code does the work; this class only wraps it.
 *
 * <p>Times are epoch microseconds ({@link Clock}). Read {@link #rounds()} after the run; the workflow calls the
 * strategy from one thread.
 */
public final class TimedFedAvg extends FedAvg {
  private final Map<Integer, RoundTimes> rounds = Collections.synchronizedMap(new TreeMap<>());
  private ModelWeights lastAggregate;

  /** What happened to one client's result in a round. */
  public record ResultTimes(String clientId, long examples, long appStart, long appEnd, long handedOut,
      long folded) {}

  /** The timestamps of one round (epoch microseconds). */
  public record RoundTimes(int round, long configureStart, long configureEnd, long aggregateStart,
      long aggregateEnd, List<ResultTimes> results, List<ClientFailure> failures) {}

  /** The rounds timed so far, in order of round number. */
  public Map<Integer, RoundTimes> rounds() {
    synchronized (rounds) {
      return Collections.unmodifiableMap(new TreeMap<>(rounds));
    }
  }

  /** The model the last {@code aggregateTrain} returned, or null. */
  public ModelWeights lastAggregate() {
    return lastAggregate;
  }

  private long configureStart;
  private long configureEnd;

  @Override
  public List<ClientTask<TrainInstructions>> configureTrain(RoundContext ctx, ModelWeights global,
      List<ClientInfo> available) {
    configureStart = Clock.epochMicros();
    List<ClientTask<TrainInstructions>> tasks = super.configureTrain(ctx, global, available);
    configureEnd = Clock.epochMicros();
    return tasks;
  }

  /** FedAvg's folding with timestamps: results' arrays are read only while they are iterated, as FedAvg reads them. */
  @Override
  public boolean readsResultArraysOnlyWhileIterating() {
    return true;
  }

  @Override
  public AggregateResult aggregateTrain(RoundContext ctx, ModelWeights global, ResultStream<TrainResult> results) {
    long start = Clock.epochMicros();
    Timed timed = new Timed(results);
    AggregateResult out = super.aggregateTrain(ctx, global, timed);
    long end = Clock.epochMicros();
    timed.foldedUpTo(end);
    lastAggregate = out.model().orElse(null);
    rounds.put(ctx.round(), new RoundTimes(ctx.round(), configureStart, configureEnd, start, end,
        List.copyOf(timed.times), results.failures()));
    return out;
  }

  /** The stream FedAvg iterates, stamping each result as it is handed out and when the next one is asked for. */
  private static final class Timed implements ResultStream<TrainResult> {
    private final ResultStream<TrainResult> inner;
    private final List<ResultTimes> times = new ArrayList<>();
    private ClientResult<TrainResult> open; // handed out, not yet folded
    private long openAt;

    Timed(ResultStream<TrainResult> inner) {
      this.inner = inner;
    }

    @Override
    public List<ClientFailure> failures() {
      return inner.failures();
    }

    @Override
    public Iterator<ClientResult<TrainResult>> iterator() {
      Iterator<ClientResult<TrainResult>> it = inner.iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          foldedUpTo(Clock.epochMicros());
          return it.hasNext();
        }

        @Override
        public ClientResult<TrainResult> next() {
          foldedUpTo(Clock.epochMicros());
          ClientResult<TrainResult> r = it.next();
          open = r;
          openAt = Clock.epochMicros();
          return r;
        }
      };
    }

    /** Closes the open result: FedAvg asked for the next one (or returned), so it has folded it by {@code now}. */
    void foldedUpTo(long now) {
      if (open == null) {
        return;
      }
      TrainResult r = open.result();
      times.add(new ResultTimes(open.clientId(), r.numExamples(),
          (long) r.metrics().get(PlusDeltaApp.APP_START).orElse(0), (long) r.metrics().get(PlusDeltaApp.APP_END)
          .orElse(0), openAt, now));
      open = null;
    }
  }
}
