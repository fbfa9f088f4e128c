package dev.flotilla.core.compress;

import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.strategy.ClientFailure;
import dev.flotilla.core.strategy.ClientResult;
import dev.flotilla.core.strategy.ResultStream;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A round's results decoded one at a time as the strategy iterates them: a result is decoded when the iterator
 * reaches it and can be released when it moves on, so a folding strategy still holds one model, not one per client.
 * Failures are those of the underlying stream.
 */
final class DecodedResults implements ResultStream<TrainResult> {
  private final ResultStream<TrainResult> encoded;
  private final UnaryOperator<TrainResult> decode;

  DecodedResults(ResultStream<TrainResult> encoded, UnaryOperator<TrainResult> decode) {
    this.encoded = encoded;
    this.decode = decode;
  }

  @Override
  public List<ClientFailure> failures() {
    return encoded.failures();
  }

  @Override
  public Iterator<ClientResult<TrainResult>> iterator() {
    Iterator<ClientResult<TrainResult>> it = encoded.iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public ClientResult<TrainResult> next() {
        ClientResult<TrainResult> r = it.next();
        return new ClientResult<>(r.clientId(), decode.apply(r.result()));
      }
    };
  }
}
