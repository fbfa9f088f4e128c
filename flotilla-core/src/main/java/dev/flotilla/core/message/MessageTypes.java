package dev.flotilla.core.message;

import dev.flotilla.core.FlotillaException;

/**
 * The built-in message types and their conversion to and from the typed records of this package.
 */
public final class MessageTypes {
  /** Server to client: train, carrying {@link TrainInstructions}. */
  public static final String TRAIN = "train";
  /** Server to client: evaluate, carrying {@link EvaluateInstructions}. */
  public static final String EVALUATE = "evaluate";
  /** Server to client: the run is over; disconnect and exit. */
  public static final String FINISH = "finish";
  /**
   * Server to client: drop the request whose message id is this message's {@link Metadata#replyTo()}, because its
   * result can no longer count (its deadline passed, or the server stopped waiting for it). The client answers that
   * request with a {@link MessageError.Code#CANCELLED} error, or with its result if it was already done; it does
   * not answer the cancel itself.
   */
  public static final String CANCEL = "cancel";
  /** Client to server: reply to {@link #TRAIN}. */
  public static final String TRAIN_RESULT = "train_result";
  /** Client to server: reply to {@link #EVALUATE}. */
  public static final String EVALUATE_RESULT = "evaluate_result";
  /** Either way: the request could not be carried out; {@link Message#error()} says why. */
  public static final String ERROR = "error";

  static final String NUM_EXAMPLES = "num_examples";
  static final String LOSS = "loss";

  private MessageTypes() {}

  public static Message train(TrainInstructions ins) {
    return new Message(TRAIN, ins.config(), Metrics.empty(), ins.model());
  }

  public static Message evaluate(EvaluateInstructions ins) {
    return new Message(EVALUATE, ins.config(), Metrics.empty(), ins.model());
  }

  public static Message trainResult(TrainResult r) {
    return new Message(TRAIN_RESULT, Config.of(NUM_EXAMPLES, r.numExamples()), r.metrics(), r.weights());
  }

  public static Message evaluateResult(EvaluateResult r) {
    return new Message(EVALUATE_RESULT, Config.of(NUM_EXAMPLES, r.numExamples(), LOSS, r.loss()), r.metrics(),
        dev.flotilla.core.tensor.ModelWeights.empty());
  }

  /** A {@link #CANCEL} message for the request whose message id is {@code requestId}; its own id is set on sending. */
  public static Message cancel(long requestId) {
    if (requestId <= 0) {
      throw new IllegalArgumentException("a cancelled request's id must be positive, got " + requestId);
    }
    return Message.of(CANCEL).withMetadata(new Metadata(0, requestId, "", -1, 0));
  }

  /** An {@link MessageError.Code#APP_ERROR} error message. */
  public static Message error(String reason) {
    return Message.error(MessageError.Code.APP_ERROR, reason);
  }

  public static TrainInstructions toTrainInstructions(Message m) {
    expect(m, TRAIN);
    return new TrainInstructions(m.arrays(), m.config());
  }

  public static EvaluateInstructions toEvaluateInstructions(Message m) {
    expect(m, EVALUATE);
    return new EvaluateInstructions(m.arrays(), m.config());
  }

  public static TrainResult toTrainResult(Message m) {
    expect(m, TRAIN_RESULT);
    return new TrainResult(m.arrays(), m.config().getLong(NUM_EXAMPLES, -1), m.metrics());
  }

  public static EvaluateResult toEvaluateResult(Message m) {
    expect(m, EVALUATE_RESULT);
    return new EvaluateResult(m.config().getDouble(LOSS, Double.NaN), m.config().getLong(NUM_EXAMPLES, -1),
        m.metrics());
  }

  /** The error carried by an {@link #ERROR} message, as {@code CODE: reason}. */
  public static String errorReason(Message m) {
    return m.isError() ? m.error().toString() : "unspecified error";
  }

  private static void expect(Message m, String type) {
    if (m.isError()) {
      throw new FlotillaException("client reported an error: " + errorReason(m));
    }
    if (!m.type().equals(type)) {
      throw new FlotillaException("expected a '" + type + "' message, got '" + m.type() + "'");
    }
  }
}
