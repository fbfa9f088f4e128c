package dev.flotilla.cli;

import dev.flotilla.core.client.Context;
import dev.flotilla.core.client.TrainEvaluateApp;
import dev.flotilla.core.message.Config;
import dev.flotilla.core.message.EvaluateInstructions;
import dev.flotilla.core.message.EvaluateResult;
import dev.flotilla.core.message.TrainInstructions;
import dev.flotilla.core.message.TrainResult;
import dev.flotilla.djl.DjlClientApp;
import dev.flotilla.djl.data.ClientDataFolder;

/**
 * A {@link DjlClientApp} for whichever model the server names in the round config ({@code model}, default
 * {@code cnn}), so a client needs no model option of its own. Rebuilt only when the model changes.
 */
final class DjlAppByModel implements TrainEvaluateApp, AutoCloseable {
  private final ClientDataFolder data;
  private final long seed;
  private String model;
  private DjlClientApp app;

  DjlAppByModel(ClientDataFolder data, long seed) {
    this.data = data;
    this.seed = seed;
  }

  @Override
  public TrainResult train(TrainInstructions instructions, Context context) {
    return appFor(instructions.config()).train(instructions, context);
  }

  @Override
  public EvaluateResult evaluate(EvaluateInstructions instructions, Context context) {
    return appFor(instructions.config()).evaluate(instructions, context);
  }

  private synchronized DjlClientApp appFor(Config config) {
    String wanted = config.getString("model", "cnn");
    if (app == null || !wanted.equals(model)) {
      close();
      app = new DjlClientApp(wanted, data.train(), data.test().orElse(null), seed);
      model = wanted;
    }
    return app;
  }

  @Override
  public synchronized void close() {
    if (app != null) {
      app.close();
      app = null;
    }
  }
}
