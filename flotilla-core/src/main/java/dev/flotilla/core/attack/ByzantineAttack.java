package dev.flotilla.core.attack;

import java.util.Objects;

/**
 * How many clients of a simulation attack, and how: the value of a {@code COUNT:ATTACK} spec such as
 * {@code 4:scale:10}. Which clients are Byzantine is the caller's choice (the simulation makes clients
 * {@code 0..count-1} Byzantine); each of them runs {@link #mod}.
 *
 * @param count  how many clients attack; 0 for none
 * @param attack what each of them does
 */
public record ByzantineAttack(int count, Attack attack) {
  public ByzantineAttack {
    if (count < 0) {
      throw new IllegalArgumentException("the number of Byzantine clients must be >= 0, got " + count);
    }
    Objects.requireNonNull(attack, "attack");
  }

  /**
   * The attack that {@code spec} names: {@code COUNT:ATTACK}, with {@code ATTACK} one of {@value Attack#KNOWN}, such
   * as {@code 4:signflip}, {@code 4:scale:10}, {@code 2:gaussian:0.5} or {@code 3:labelflip}.
   *
   * @throws IllegalArgumentException with a one-line message naming {@code spec} and what is wrong with it
   */
  public static ByzantineAttack parse(String spec) {
    if (spec == null) {
      throw new IllegalArgumentException("no Byzantine attack spec given; expected COUNT:ATTACK, such as 4:signflip");
    }
    int colon = spec.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("Byzantine attack spec '" + spec
          + "' is not COUNT:ATTACK, such as 4:signflip; attacks: " + Attack.KNOWN);
    }
    String countText = spec.substring(0, colon);
    int count;
    try {
      count = Integer.parseInt(countText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Byzantine attack spec '" + spec + "': count '" + countText
          + "' is not a whole number");
    }
    try {
      return new ByzantineAttack(count, Attack.parse(spec.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Byzantine attack spec '" + spec + "': " + e.getMessage(), e);
    }
  }

  /** The mod one Byzantine client runs, drawing any random values from {@code seed} (the run's seed). */
  public ByzantineMod mod(long seed) {
    return new ByzantineMod(attack, seed);
  }

  /** This attack as a spec that {@link #parse} reads back. */
  @Override
  public String toString() {
    return count + ":" + attack.spec();
  }
}
