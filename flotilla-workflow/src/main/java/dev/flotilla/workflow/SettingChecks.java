package dev.flotilla.workflow;

import java.time.Duration;
import java.util.Objects;

/** The checks the workflows' settings share, each failing with a message that names the setting. */
final class SettingChecks {
  private SettingChecks() {}

  /** Throws unless {@code value >= min}. */
  static void atLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
  }

  /** Throws unless {@code value} is set and longer than zero. */
  static void positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
