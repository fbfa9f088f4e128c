package dev.flotilla.core.attack;

import dev.flotilla.core.message.Config;

/**
 * Label flipping, a data-poisoning attack: the client trains honestly on wrong labels (Tolpegin et al., "Data
 * Poisoning Attacks Against Federated Learning Systems", ESORICS 2020). This attack only asks for it, by adding
 * {@value #CONFIG_KEY}{@code = true} to the training config; flipping the labels is the trainer's job, which reads
 * that key. It sends the weights it trained unchanged.
 */
public record LabelFlip() implements Attack {
  /** The training config key that asks the trainer to flip labels. */
  public static final String CONFIG_KEY = "label_flip";

  @Override
  public String spec() {
    return "labelflip";
  }

  @Override
  public Config trainConfig(Config sent) {
    return sent.with(CONFIG_KEY, true);
  }
}
