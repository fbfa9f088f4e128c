package dev.flotilla.sim;

import dev.flotilla.core.message.Message;
import dev.flotilla.core.message.MessageTypes;
import dev.flotilla.core.strategy.ClientInfo;
import dev.flotilla.workflow.TaskTimes;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated clock of a simulation: how long a virtual client would take for a training task on a real site, so
 * that runs can be compared by time to accuracy, deterministically and without sleeping. A training task takes
 * {@code communication + slowdown × examples × epochs × secondsPerExample} seconds, with the client's
 * {@code num_examples}, the task's {@code local_epochs} (1 if absent) and the client's factor from
 * {@link ClientSpeeds}, capped by the timeout: a task longer than that times out. Other tasks (evaluation) take no
 * simulated time.
 *
 * <p>For a synchronous run the clock keeps the longest task of each message group ({@code "3/train"}), the simulated
 * time of that round: its slowest client, or the timeout if one was dropped by it. An asynchronous run keeps its own
 * event time ({@link dev.flotilla.workflow.AsyncWorkflow}).
 *
 * <p>Thread-safe.
 */
public final class SimulatedClock implements TaskTimes {
  /** Default seconds per training example per epoch on a nominal site. */
  public static final double DEFAULT_SECONDS_PER_EXAMPLE = 0.005;
  /** Default seconds to send a model and receive the result. */
  public static final double DEFAULT_COMMUNICATION_SECONDS = 0.5;

  private final ClientSpeeds speeds;
  private final double secondsPerExample;
  private final double communicationSeconds;
  private final double timeoutSeconds;
  private final Map<String, Double> longest = new ConcurrentHashMap<>();

  /**
   * @param timeoutSeconds simulated seconds after which a task times out ({@code Double.POSITIVE_INFINITY}: never)
   * @throws IllegalArgumentException if a time is negative or not a number, or the timeout is not positive
   */
  public SimulatedClock(ClientSpeeds speeds, double secondsPerExample, double communicationSeconds,
      double timeoutSeconds) {
    this.speeds = Objects.requireNonNull(speeds, "speeds");
    if (!(secondsPerExample >= 0) || !(communicationSeconds >= 0) || !(timeoutSeconds > 0)) {
      throw new IllegalArgumentException("simulated times must be >= 0 and the timeout > 0, got " + secondsPerExample
          + " s per example, " + communicationSeconds + " s communication, timeout " + timeoutSeconds + " s");
    }
    this.secondsPerExample = secondsPerExample;
    this.communicationSeconds = communicationSeconds;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** The clients' speed factors. */
  public ClientSpeeds speeds() {
    return speeds;
  }

  /** Simulated seconds of {@code request} to {@code client} if nothing stopped it: training only, else 0. */
  public double uncapped(ClientInfo client, Message request) {
    if (!MessageTypes.TRAIN.equals(request.type())) {
      return 0;
    }
    long examples = client.properties().getLong("num_examples", 0);
    int epochs = request.config().getInt("local_epochs", 1);
    return communicationSeconds + speeds.slowdown(client.id()) * examples * epochs * secondsPerExample;
  }

  /** {@inheritDoc} The task's time, capped at the timeout. */
  @Override
  public double seconds(ClientInfo client, Message request) {
    return Math.min(uncapped(client, request), timeoutSeconds);
  }

  /** Whether a task of {@code seconds} times out. */
  public boolean timesOut(double seconds) {
    return seconds > timeoutSeconds;
  }

  /** The simulated timeout in seconds. */
  public double timeoutSeconds() {
    return timeoutSeconds;
  }

  /** Notes a task of message group {@code group} that took {@code seconds} (capped at the timeout). */
  void record(String group, double seconds) {
    longest.merge(group, Math.min(seconds, timeoutSeconds), Math::max);
  }

  /** The longest task of {@code group}, such as {@code "3/train"}: the simulated time of that round; 0 if none. */
  public double longest(String group) {
    return longest.getOrDefault(group, 0.0);
  }
}
