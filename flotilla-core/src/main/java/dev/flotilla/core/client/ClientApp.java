package dev.flotilla.core.client;

import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;

/**
 * The code that runs at a site: trains and evaluates on local data. The same {@code ClientApp} runs behind a
 * network client in deployment and as a virtual client in simulation.
 *
 * <p>Threading: the client SDK calls one method at a time per instance. A {@code RuntimeException} thrown here is
 * reported to the server as a failure of this client for this round; it does not end the client.
 */
public interface ClientApp {
  /** Trains from {@code instructions.model()} on local data and returns the new weights. */
  TrainResult train(TrainInstructions instructions);

  /** Evaluates {@code instructions.model()} on local data. */
  EvaluateResult evaluate(EvaluateInstructions instructions);
}
