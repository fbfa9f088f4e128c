package dev.flotilla.core.testing;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.Metrics;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.core.tensor.ModelWeights;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link TrainEvaluateApp} for tests whose behaviour is given as functions, with factories for the usual cases, and that
 * records the instructions it receives. Thread-safe.
 */
public final class FakeClientApp implements TrainEvaluateApp {
  private final Function<TrainInstructions, TrainResult> train;
  private final Function<EvaluateInstructions, EvaluateResult> evaluate;
  private final List<TrainInstructions> trainCalls = new CopyOnWriteArrayList<>();
  private final List<EvaluateInstructions> evaluateCalls = new CopyOnWriteArrayList<>();

  /** An app that trains with {@code train} and evaluates with {@code evaluate}. */
  public FakeClientApp(Function<TrainInstructions, TrainResult> train,
      Function<EvaluateInstructions, EvaluateResult> evaluate) {
    this.train = train;
    this.evaluate = evaluate;
  }

  /** An app that trains with {@code train} and evaluates every model to loss 1, accuracy 0.5 on 10 examples. */
  public static FakeClientApp training(Function<TrainInstructions, TrainResult> train) {
    return new FakeClientApp(train, ins -> new EvaluateResult(1.0, 10, Metrics.of("accuracy", 0.5)));
  }

  /**
   * An app whose training adds {@code delta} to every value of the model it gets and reports {@code numExamples};
   * its evaluation reports loss {@code delta} and accuracy 0.5 on {@code numExamples} examples.
   */
  public static FakeClientApp adding(float delta, long numExamples) {
    return new FakeClientApp(
        ins -> new TrainResult(TestModels.plus(ins.model(), delta), numExamples, Metrics.of("train_loss", delta)),
        ins -> new EvaluateResult(delta, numExamples, Metrics.of("accuracy", 0.5)));
  }

  /** An app whose training returns {@code weights}, whatever it is sent. */
  public static FakeClientApp returning(ModelWeights weights, long numExamples) {
    return training(ins -> new TrainResult(weights, numExamples, Metrics.empty()));
  }

  /** An app whose training and evaluation throw an {@link IllegalStateException} with {@code message}. */
  public static FakeClientApp throwing(String message) {
    return new FakeClientApp(ins -> {
      throw new IllegalStateException(message);
    }, ins -> {
      throw new IllegalStateException(message);
    });
  }

  @Override
  public TrainResult train(TrainInstructions instructions, Context context) {
    trainCalls.add(instructions);
    return train.apply(instructions);
  }

  @Override
  public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
    evaluateCalls.add(instructions);
    return evaluate.apply(instructions);
  }

  /** The training instructions received so far, oldest first. */
  public List<TrainInstructions> trainCalls() {
    return List.copyOf(trainCalls);
  }

  /** The evaluation instructions received so far, oldest first. */
  public List<EvaluateInstructions> evaluateCalls() {
    return List.copyOf(evaluateCalls);
  }
}
