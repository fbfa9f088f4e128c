package dev.flotilla.cli;

import dev.flotilla.core.client.ClientMod;
import dev.flotilla.core.privacy.DpAdaptiveClipping;
import dev.flotilla.core.privacy.DpClipMod;
import dev.flotilla.core.privacy.DpFixedClipping;
import dev.flotilla.core.privacy.DpSettings;
import dev.flotilla.core.privacy.LocalDpAccounting;
import dev.flotilla.core.privacy.LocalDpMod;
import dev.flotilla.core.privacy.RdpAccountant;
import dev.flotilla.core.strategy.Strategy;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Differential privacy as the command line chose it ({@code --dp} and its options), planned for a run: the noise
 * multiplier is {@code --dp-noise}, or with {@code --target-epsilon} alone the smallest one that keeps the planned
 * rounds within the budget ({@link RdpAccountant#noiseMultiplier}). Central modes count each round as a step at the
 * planned sampling rate (clients per round / clients); local DP counts a client's updates without sampling, and
 * plans for a client that takes part in every round, so that no client can run out of budget.
 *
 * @param mode             where clipping and noise happen
 * @param noiseMultiplier  z, resolved
 * @param clip             the clipping norm (with adaptive clipping: its starting value)
 * @param adaptiveQuantile the target quantile of adaptive clipping, or null for a fixed clip
 * @param delta            δ
 * @param targetEpsilon    the budget, or null for none
 * @param samplingRate     the planned share of clients per round, in (0, 1]
 * @param rounds           the planned rounds
 * @param noiseSeed        empty: secure noise; a seed: reproducible (not private) noise, for simulations
 */
record PrivacyChoice(Mode mode, double noiseMultiplier, double clip, Double adaptiveQuantile, double delta,
    Double targetEpsilon, double samplingRate, int rounds, OptionalLong noiseSeed) {
  /** Where DP acts: {@code central} (the server clips and adds noise), {@code central-client-clip}, {@code local}. */
  enum Mode {
    CENTRAL("central"), CENTRAL_CLIENT_CLIP("central-client-clip"), LOCAL("local");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    /** The mode called {@code name}, as {@code --dp} takes it. */
    static Mode parse(String name) {
      for (Mode m : values()) {
        if (m.label.equalsIgnoreCase(name.strip())) {
          return m;
        }
      }
      throw new IllegalArgumentException("unknown --dp '" + name + "'; choose central, central-client-clip or local");
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** @throws IllegalArgumentException naming the bad value */
  PrivacyChoice {
    Objects.requireNonNull(mode, "mode");
    if (adaptiveQuantile != null && mode == Mode.LOCAL) {
      throw new IllegalArgumentException("--dp-adaptive-quantile works with --dp central or central-client-clip,"
          + " not local");
    }
    if (mode == Mode.LOCAL && noiseMultiplier == 0) {
      throw new IllegalArgumentException("--dp local needs noise: --dp-noise must be positive");
    }
    if (!(samplingRate > 0 && samplingRate <= 1)) {
      throw new IllegalArgumentException("sampling rate must be in (0, 1], got " + samplingRate);
    }
    Objects.requireNonNull(noiseSeed, "noiseSeed");
    dpSettings(mode, noiseMultiplier, clip, delta, targetEpsilon, noiseSeed); // checks noise, clip, delta, budget
    if (adaptiveQuantile != null) {
      DpAdaptiveClipping.Settings.of(adaptiveQuantile);
    }
  }

  /**
   * The plan for {@code rounds} rounds at {@code samplingRate}: {@code noise} if given, else the multiplier that
   * {@code targetEpsilon} needs.
   *
   * @throws IllegalArgumentException if neither or a bad value is given
   */
  static PrivacyChoice plan(Mode mode, Double noise, double clip, Double adaptiveQuantile, double delta,
      Double targetEpsilon, double samplingRate, int rounds, OptionalLong noiseSeed) {
    double z;
    if (noise != null) {
      z = noise;
    } else if (targetEpsilon != null) {
      if (rounds < 1) {
        throw new IllegalArgumentException("--target-epsilon needs at least one round, got " + rounds);
      }
      if (!(delta > 0 && delta < 1)) {
        throw new IllegalArgumentException("--dp-delta must be in (0, 1), got " + delta);
      }
      z = RdpAccountant.noiseMultiplier(mode == Mode.LOCAL ? 1.0 : samplingRate, rounds, targetEpsilon, delta);
    } else {
      throw new IllegalArgumentException("--dp " + mode + " needs --dp-noise or --target-epsilon");
    }
    return new PrivacyChoice(mode, z, clip, adaptiveQuantile, delta, targetEpsilon, samplingRate, rounds, noiseSeed);
  }

  /** The central wrappers' settings. */
  DpSettings settings() {
    return dpSettings(mode, noiseMultiplier, clip, delta, targetEpsilon, noiseSeed);
  }

  private static DpSettings dpSettings(Mode mode, double noiseMultiplier, double clip, double delta,
      Double targetEpsilon, OptionalLong noiseSeed) {
    DpSettings.Builder b = DpSettings.builder().noiseMultiplier(noiseMultiplier).clip(clip).delta(delta)
        .clientSideClipping(mode == Mode.CENTRAL_CLIENT_CLIP);
    if (targetEpsilon != null) {
      b.targetEpsilon(targetEpsilon);
    }
    noiseSeed.ifPresent(b::noiseSeed);
    return b.build();
  }

  /** {@code inner} with this privacy on the server. */
  Strategy wrap(Strategy inner) {
    return switch (mode) {
      case LOCAL -> new LocalDpAccounting(inner, delta);
      case CENTRAL, CENTRAL_CLIENT_CLIP -> adaptiveQuantile == null ? new DpFixedClipping(inner, settings())
          : new DpAdaptiveClipping(inner, settings(), DpAdaptiveClipping.Settings.of(adaptiveQuantile));
    };
  }

  /** The mods every client runs for this privacy: local DP's noise, or client-side clipping; none for central. */
  List<ClientMod> clientMods() {
    return switch (mode) {
      case CENTRAL -> List.of();
      case CENTRAL_CLIENT_CLIP -> List.of(new DpClipMod());
      case LOCAL -> List.of(new LocalDpMod(new LocalDpMod.Settings(clip, noiseMultiplier, delta,
          targetEpsilon == null ? OptionalDouble.empty() : OptionalDouble.of(targetEpsilon), noiseSeed)));
    };
  }

  /** For logs and chart titles, such as {@code dp central z 1.29 clip 1 (eps 3 at delta 1e-05)}. */
  String describe() {
    return String.format(Locale.ROOT, "dp %s z %.4g clip %s%s%s", mode, noiseMultiplier, clip,
        adaptiveQuantile == null ? "" : " adaptive q " + adaptiveQuantile,
        targetEpsilon == null ? "" : " (eps " + targetEpsilon + " at delta " + delta + ")");
  }
}
