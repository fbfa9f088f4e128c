package dev.flotilla.core.random;

import java.util.Random;

/**
 * The seed arithmetic and shuffling that every seeded part of Flotilla shares (partitioners, client sampling, local
 * training), written out here so that the numbers a seed produces are fixed by this code and not by a library or JDK
 * version. Stateless and thread-safe.
 */
public final class Seeds {
  /**
   * The odd constant {@code 2^64 / φ} that SplitMix64 adds per step: multiply a seed by it, or add multiples of it,
   * before {@link #mix} so that neighbouring seeds and rounds land far apart.
   */
  public static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private Seeds() {}

  /**
   * The SplitMix64 finaliser (Steele, Lea and Flood, "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014;
   * Stafford's mix 13): a bijection of the 64-bit values in which every input bit affects every output bit. Turns a
   * combination of a seed and a counter, such as {@code seed * GOLDEN_GAMMA + round}, into a well-mixed seed.
   */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Fisher–Yates shuffle of {@code a} in place, from the last element down, drawing {@code random.nextInt(i + 1)}
   * for each position {@code i}: the permutation is a fixed function of {@code random}'s state.
   */
  public static void shuffle(int[] a, Random random) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
