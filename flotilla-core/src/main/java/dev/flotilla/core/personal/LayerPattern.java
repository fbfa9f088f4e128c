package dev.flotilla.core.personal;

import dev.flotilla.core.tensor.ModelWeights;
import dev.flotilla.core.tensor.TensorSpec;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which layers of a model stay on each site: the tensors whose whole name matches a regular expression. A pattern
 * such as {@code "fc2\\..*"} marks {@code fc2.weight} and {@code fc2.bias} as local; {@code "fc2"} alone matches no
 * tensor of that model, because the whole name must match ({@link java.util.regex.Matcher#matches()}), so that a
 * short pattern cannot catch unrelated layers by accident. The server ({@link LocalLayers}) and the clients
 * ({@link LocalLayersMod}) use this one class, so they always agree on the split. Immutable and thread-safe.
 */
public final class LayerPattern {
  private final String regex;
  private final Pattern pattern;

  private LayerPattern(String regex, Pattern pattern) {
    this.regex = regex;
    this.pattern = pattern;
  }

  /**
   * The layers whose whole name matches {@code regex}.
   *
   * @throws IllegalArgumentException naming {@code regex} if it is empty or not a valid regular expression
   */
  public static LayerPattern of(String regex) {
    if (regex == null || regex.isEmpty()) {
      throw new IllegalArgumentException("the local-layer regex must not be empty");
    }
    try {
      return new LayerPattern(regex, Pattern.compile(regex));
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("the local-layer regex '" + regex + "' is not a valid regular expression: "
          + e.getDescription(), e);
    }
  }

  /** The regular expression, as given. */
  public String regex() {
    return regex;
  }

  /** Whether the tensor called {@code name} is local. */
  public boolean matches(String name) {
    return pattern.matcher(name).matches();
  }

  /** The local tensors of {@code model}, in order. */
  public ModelWeights local(ModelWeights model) {
    return model.filter(this::matches);
  }

  /** The shared tensors of {@code model} (those that are not local), in order. */
  public ModelWeights shared(ModelWeights model) {
    return model.filter(name -> !matches(name));
  }

  /**
   * Why this pattern does not split a model of {@code specs} into local and shared layers (it matches every layer,
   * or none), or empty if it does.
   */
  public Optional<String> splitProblem(List<TensorSpec> specs) {
    long local = specs.stream().filter(s -> matches(s.name())).count();
    List<String> names = specs.stream().map(TensorSpec::name).toList();
    if (local == 0) {
      return Optional.of("the local-layer regex '" + regex + "' matches no layer of the model " + names
          + " (the whole name must match)");
    }
    if (local == specs.size()) {
      return Optional.of("the local-layer regex '" + regex + "' matches every layer of the model " + names
          + ", so nothing would be shared");
    }
    return Optional.empty();
  }

  /**
   * Checks that this pattern splits a model of {@code specs}.
   *
   * @throws IllegalArgumentException naming the regex and the layers if it matches every layer or none
   */
  public void requireSplit(List<TensorSpec> specs) {
    splitProblem(specs).ifPresent(p -> {
      throw new IllegalArgumentException(p);
    });
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LayerPattern p && p.regex.equals(regex);
  }

  @Override
  public int hashCode() {
    return regex.hashCode();
  }

  @Override
  public String toString() {
    return "LayerPattern[" + regex + "]";
  }
}
