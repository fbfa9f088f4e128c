package dev.flotilla.store;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A run as the store knows it.
 *
 * @param id        the run's name, unique in its store
 * @param status    where it stands
 * @param spec      what it was started with
 * @param lastRound the last round it completed (0 for the initial evaluation), empty before the first
 * @param createdAt when it was started
 * @param updatedAt when its last round, or its end, was stored
 */
public record StoredRun(String id, RunStatus status, RunSpec spec, OptionalInt lastRound, Instant createdAt,
    Instant updatedAt) {
  public StoredRun {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(lastRound, "lastRound");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }
}
