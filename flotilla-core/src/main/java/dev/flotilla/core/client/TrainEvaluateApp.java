package dev.flotilla.core.client;

import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageError;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;

/**
 * The convenient kind of {@link ClientApp}: one that trains and evaluates on local data. {@link #handle} turns
 * {@code train} and {@code evaluate} messages into calls of {@link #train} and {@link #evaluate}, and answers every
 * other type with an {@link MessageError.Code#UNSUPPORTED_TYPE} error.
 */
public interface TrainEvaluateApp extends ClientApp {
  /** Trains from {@code instructions.model()} on local data and returns the new weights. */
  TrainResult train(TrainInstructions instructions, Context context);

  /** Evaluates {@code instructions.model()} on local data. */
  EvaluateResult evaluate(EvaluateInstructions instructions, Context context);

  @Override
  default Message handle(Message message, Context context) {
    switch (message.type()) {
      case MessageTypes.TRAIN -> {
        TrainResult r = train(MessageTypes.toTrainInstructions(message), context);
        return r == null ? Message.error(MessageError.Code.APP_ERROR, "train returned null")
            : MessageTypes.trainResult(r);
      }
      case MessageTypes.EVALUATE -> {
        EvaluateResult r = evaluate(MessageTypes.toEvaluateInstructions(message), context);
        return r == null ? Message.error(MessageError.Code.APP_ERROR, "evaluate returned null")
            : MessageTypes.evaluateResult(r);
      }
      default -> {
        return Message.error(MessageError.Code.UNSUPPORTED_TYPE,
            "this client does not handle '" + message.type() + "' messages");
      }
    }
  }
}
