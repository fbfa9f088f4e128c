package dev.flotilla.djl.model;

import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;

/** The fixed description of a {@link Network}: its name, parameters, image size and classes. */
abstract class ImageNetwork implements Network {
  private final String name;
  private final List<TensorSpec> specs;
  private final int rows;
  private final int cols;
  private final int numClasses;

  ImageNetwork(String name, List<TensorSpec> specs, int rows, int cols, int numClasses) {
    this.name = name;
    this.specs = List.copyOf(specs);
    this.rows = rows;
    this.cols = cols;
    this.numClasses = numClasses;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final List<TensorSpec> specs() {
    return specs;
  }

  @Override
  public final int rows() {
    return rows;
  }

  @Override
  public final int cols() {
    return cols;
  }

  @Override
  public final int numClasses() {
    return numClasses;
  }

  @Override
  public String toString() {
    return name;
  }
}
