package dev.flotilla.core.strategy;

import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.tensor.ModelWeights;

/** Evaluates a global model on data held by the server (central evaluation). */
@FunctionalInterface
public interface ModelEvaluator {
  EvaluateResult evaluate(ModelWeights model);
}
