package dev.flotilla.djl.model;

import dev.flotilla.core.tensor.TensorSpec;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The fixed description of a {@link Network}: its name, tensors, image size, classes and layer patterns. The
 * buffers are the tensors that PyTorch names as such: {@code X.running_mean} and {@code X.running_var}.
 */
abstract class ImageNetwork implements Network {
  private final String name;
  private final List<TensorSpec> specs;
  private final Set<String> bufferNames;
  private final int rows;
  private final int cols;
  private final int numClasses;
  private final String headPattern;
  private final String normalizationPattern;

  ImageNetwork(String name, List<TensorSpec> specs, int rows, int cols, int numClasses, String headPattern,
      String normalizationPattern) {
    this.name = name;
    this.specs = List.copyOf(specs);
    Set<String> buffers = new LinkedHashSet<>();
    for (TensorSpec s : specs) {
      if (s.name().endsWith(".running_mean") || s.name().endsWith(".running_var")) {
        buffers.add(s.name());
      }
    }
    this.bufferNames = Set.copyOf(buffers);
    this.rows = rows;
    this.cols = cols;
    this.numClasses = numClasses;
    Pattern head = Pattern.compile(headPattern);
    if (specs.stream().noneMatch(s -> head.matcher(s.name()).matches())) {
      throw new IllegalArgumentException("head pattern '" + headPattern + "' matches no tensor of " + name);
    }
    Pattern.compile(normalizationPattern);
    this.headPattern = headPattern;
    this.normalizationPattern = normalizationPattern;
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
  public final Set<String> bufferNames() {
    return bufferNames;
  }

  @Override
  public final String headPattern() {
    return headPattern;
  }

  @Override
  public final String normalizationPattern() {
    return normalizationPattern;
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
