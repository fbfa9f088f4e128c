package dev.flotilla.cli;

import dev.flotilla.core.client.ClientApp;
import dev.flotilla.djl.DjlClientApp;
import dev.flotilla.djl.data.LabelledImages;
import dev.flotilla.djl.model.Models;
import dev.flotilla.sim.ClientAppFactory;
import dev.flotilla.sim.VirtualClient;
import java.util.Objects;

/**
 * Makes, for each task of a virtual client, the {@link DjlClientApp} a deployed client would run on the same data:
 * model {@code model}, the client's training examples viewed through its indices in the shared training set (a
 * {@linkplain LabelledImages#subset cheap view}, not a copy), its local test examples if it has any, and its seed.
 * The app holds one copy of the model in native memory and is closed when the task ends, so native memory holds one
 * model per busy worker. Making and closing it costs well under a millisecond next to the training it serves.
 *
 * <p>Thread-safe: the data sets are shared and never modified.
 */
public final class DjlAppFactory implements ClientAppFactory {
  private final String model;
  private final LabelledImages train;
  private final LabelledImages test;

  /**
   * A factory of apps for model {@code model} (such as {@code "cnn"}).
   *
   * @param train the training set that every client's training indices point into
   * @param test  the test set that clients' local test indices point into, or null when they have none
   * @throws IllegalArgumentException naming an unknown model
   */
  public DjlAppFactory(String model, LabelledImages train, LabelledImages test) {
    Models.network(model);
    this.model = model;
    this.train = Objects.requireNonNull(train, "train");
    this.test = test;
  }

  @Override
  public ClientApp create(VirtualClient client) {
    LabelledImages localTest = null;
    if (client.numTestExamples() > 0) {
      if (test == null) {
        throw new IllegalStateException("virtual client '" + client.id() + "' has test indices but no test set");
      }
      localTest = test.subset(client.testIndices());
    }
    return new DjlClientApp(model, train.subset(client.trainIndices()), localTest, client.seed());
  }
}
