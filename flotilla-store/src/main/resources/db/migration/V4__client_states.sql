-- Virtual clients' Context states of a stored simulation, kept incrementally: a row per client whose state changed
-- in a round (a state that became empty too), saved in the round's transaction. The row holds the state's scalars;
-- its arrays are in the round's clients file (runs/RUN/round-NNNNN.clients.safetensors), named CLIENT/KEY/NAME.
-- A resume from round r takes, for each client, its row of the latest round <= r. Runs stored before this migration
-- keep their clients' states inside the strategy state of their checkpoints, and stay resumable.

CREATE TABLE flotilla_client_states (
  run_id        VARCHAR(200)  NOT NULL REFERENCES flotilla_runs (id) ON DELETE CASCADE,
  client_id     VARCHAR(500)  NOT NULL,
  round_number  INTEGER       NOT NULL,
  scalars       VARCHAR(1000000) NOT NULL,
  arrays_file   VARCHAR(1000),
  arrays_sha256 VARCHAR(64),
  bytes         BIGINT        NOT NULL,
  PRIMARY KEY (run_id, client_id, round_number)
);

CREATE INDEX flotilla_client_states_by_round ON flotilla_client_states (run_id, round_number);
