package dev.flotilla.client;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a request from the server into a call of the {@link ClientApp} and its outcome into the reply: a result, or
 * an {@code error} message saying why there is none. Never throws for a failure of the app. Not thread-safe, like
 * the app it calls.
 *
 * <p>{@link FlotillaClient} answers every request it receives with this class, and the simulation engine
 * ({@code flotilla-sim}) hands the messages of its virtual clients to it too, so that a {@code ClientApp} sees exactly
 * the same calls in simulation as in deployment.
 */
public final class AppDispatcher {
  private static final Logger log = LoggerFactory.getLogger(AppDispatcher.class);
  private final ClientApp app;

  /** A dispatcher that calls {@code app}. */
  public AppDispatcher(ClientApp app) {
    this.app = app;
  }

  /**
   * The reply to {@code request}: a {@code train_result} or {@code evaluate_result}, or an {@code error} message if the
   * app threw, returned null or does not handle the request's type.
   */
  public Message handle(Message request) {
    try {
      switch (request.type()) {
        case MessageTypes.TRAIN -> {
          TrainResult r = app.train(MessageTypes.toTrainInstructions(request));
          return r == null ? error(request, "ClientApp.train returned null") : MessageTypes.trainResult(r);
        }
        case MessageTypes.EVALUATE -> {
          EvaluateResult r = app.evaluate(MessageTypes.toEvaluateInstructions(request));
          return r == null ? error(request, "ClientApp.evaluate returned null") : MessageTypes.evaluateResult(r);
        }
        default -> {
          return error(request, "this client does not handle '" + request.type() + "' messages");
        }
      }
    } catch (RuntimeException e) {
      log.warn("the '{}' request failed", request.type(), e);
      return MessageTypes.error(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static Message error(Message request, String reason) {
    log.warn("cannot answer the '{}' request: {}", request.type(), reason);
    return MessageTypes.error(reason);
  }
}
