package dev.flotilla.core.strategy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;

/**
 * The results of one round, delivered as they arrive. Iterating blocks until the next result is in or the round
 * is over; each result may be released once the iterator moves past it, so a strategy that folds results as it
 * iterates needs memory for one model, not one per client. A stream can be iterated once.
 *
 * <p>{@link #failures()} is complete once iteration has ended: clients that disconnected, timed out, reported an
 * error or sent an invalid result.
 */
public interface ResultStream<R> extends Iterable<ClientResult<R>> {
  /** The failures of this round; complete after iteration has ended. */
  List<ClientFailure> failures();

  /** A stream over results already at hand, for tests, simulation and central code paths. */
  static <R> ResultStream<R> of(List<ClientResult<R>> results, List<ClientFailure> failures) {
    List<ClientResult<R>> r = List.copyOf(results);
    List<ClientFailure> f = List.copyOf(failures);
    return new ResultStream<>() {
      @Override
      public List<ClientFailure> failures() {
        return f;
      }

      @Override
      public Iterator<ClientResult<R>> iterator() {
        return r.iterator();
      }
    };
  }

  /**
   * A stream whose results are this stream's, each passed through {@code f} when the iterator reaches it (lazily,
   * so a streaming strategy still holds one result at a time); the failures are this stream's. For wrappers that
   * decode, clip or observe results.
   */
  default <T> ResultStream<T> map(Function<ClientResult<R>, ClientResult<T>> f) {
    ResultStream<R> source = this;
    return new ResultStream<>() {
      @Override
      public List<ClientFailure> failures() {
        return source.failures();
      }

      @Override
      public Iterator<ClientResult<T>> iterator() {
        Iterator<ClientResult<R>> it = source.iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return it.hasNext();
          }

          @Override
          public ClientResult<T> next() {
            return f.apply(it.next());
          }
        };
      }
    };
  }

  /** Drains the stream into a list, for strategies that need every result at once (median, Krum). */
  default List<ClientResult<R>> toList() {
    List<ClientResult<R>> out = new ArrayList<>();
    for (ClientResult<R> r : this) {
      out.add(r);
    }
    return out;
  }
}
