package dev.flotilla.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.Tensor;
import dev.flotilla.core.tensor.TensorSpec;
import dev.flotilla.djl.model.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link Network} with its tensors (parameters and buffers) held as native float32 arrays of the PyTorch engine.
 * Weights move in and out in bulk, one buffer copy per tensor. Owns its {@link NDManager}; {@link #close()} frees
 * all native memory it holds. Not thread-safe: one user at a time.
 */
final class DjlModel implements AutoCloseable {
  private final Network network;
  private final List<TensorSpec> specs;
  private final NDManager manager;
  private final NDList parameters;
  private final boolean[] trainable;

  DjlModel(Network network) {
    this.network = network;
    this.specs = network.specs();
    this.trainable = new boolean[specs.size()];
    for (int i = 0; i < specs.size(); i++) {
      trainable[i] = network.isTrainable(specs.get(i).name());
    }
    this.manager = PyTorchRuntime.engine().newBaseManager();
    this.parameters = new NDList(specs.size());
    for (TensorSpec spec : specs) {
      NDArray p = manager.zeros(shapeOf(spec), DataType.FLOAT32);
      p.setName(spec.name());
      parameters.add(p);
    }
  }

  Network network() {
    return network;
  }

  /** The manager that owns the parameters; per-batch scopes are made as its sub-managers. */
  NDManager manager() {
    return manager;
  }

  /**
   * The arrays of all tensors, parameters and buffers, in the order of {@link Network#specs()}; owned by this model,
   * and replaced by new arrays (without gradients) on every {@link #load}.
   */
  NDList parameters() {
    return parameters;
  }

  /** Whether SGD trains tensor {@code index} of {@link #parameters()}; false for buffers. */
  boolean isTrainable(int index) {
    return trainable[index];
  }

  /** Copies {@code weights} into the parameters; their specs must equal the network's, in order. */
  void load(ModelWeights weights) {
    if (weights.count() != specs.size()) {
      throw new IllegalArgumentException("model '" + network.name() + "' has " + specs.size() + " tensors "
          + specs + ", got " + weights.count() + ": " + weights.specs());
    }
    for (int i = 0; i < specs.size(); i++) {
      Tensor t = weights.get(i);
      if (!t.spec().equals(specs.get(i))) {
        throw new IllegalArgumentException("model '" + network.name() + "' expects " + specs.get(i)
            + " at position " + i + ", got " + t.spec());
      }
      // A fresh array over a fresh copy of the values (the one copy), rather than NDArray.set(), which swaps the
      // storage under a live tensor and makes libtorch print a deprecation warning.
      NDArray fresh = manager.create(t.buffer(), shapeOf(t.spec()));
      fresh.setName(t.name());
      parameters.set(i, fresh).close();
    }
  }

  /** The current parameters as new weights (one bulk copy per tensor). */
  ModelWeights weights() {
    List<Tensor> out = new ArrayList<>(specs.size());
    for (int i = 0; i < specs.size(); i++) {
      out.add(Tensor.wrap(specs.get(i), parameters.get(i).toFloatArray()));
    }
    return ModelWeights.of(out);
  }

  /**
   * Logits for a batch of images; new arrays go to the manager of {@code images}. In training mode the network's
   * normalisation layers update their running statistics in place.
   */
  NDArray forward(NDArray images, boolean training) {
    return network.forward(images, parameters, training);
  }

  @Override
  public void close() {
    manager.close();
  }

  private static Shape shapeOf(TensorSpec spec) {
    return new Shape(Arrays.stream(spec.shape()).asLongStream().toArray());
  }
}
