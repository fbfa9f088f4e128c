-- Flotilla's run store: one row per run, per finished round, per checkpoint and per client seen.
-- Portable SQL: the same script runs on H2 (the embedded default) and on PostgreSQL.

CREATE TABLE flotilla_runs (
  id          VARCHAR(200)  NOT NULL PRIMARY KEY,
  status      VARCHAR(20)   NOT NULL,
  description VARCHAR(2000) NOT NULL,
  model       VARCHAR(200)  NOT NULL,
  rounds      INTEGER       NOT NULL,
  seed        BIGINT        NOT NULL,
  last_round  INTEGER,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE flotilla_rounds (
  run_id         VARCHAR(200) NOT NULL REFERENCES flotilla_runs (id) ON DELETE CASCADE,
  round_number   INTEGER      NOT NULL,
  accuracy       DOUBLE PRECISION,
  loss           DOUBLE PRECISION,
  fed_accuracy   DOUBLE PRECISION,
  fed_loss       DOUBLE PRECISION,
  clients_ok     INTEGER      NOT NULL,
  clients_failed INTEGER      NOT NULL,
  seconds        DOUBLE PRECISION NOT NULL,
  bytes_up       BIGINT       NOT NULL,
  bytes_down     BIGINT       NOT NULL,
  metrics        VARCHAR(1000000) NOT NULL,
  finished_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (run_id, round_number)
);

-- the files hold the arrays; the row holds where they are, their SHA-256 and the strategy's scalar state
CREATE TABLE flotilla_checkpoints (
  run_id          VARCHAR(200)  NOT NULL REFERENCES flotilla_runs (id) ON DELETE CASCADE,
  round_number    INTEGER       NOT NULL,
  model_file      VARCHAR(1000) NOT NULL,
  model_sha256    VARCHAR(64)   NOT NULL,
  state_file      VARCHAR(1000),
  state_sha256    VARCHAR(64),
  state_scalars   VARCHAR(1000000) NOT NULL,
  bytes           BIGINT        NOT NULL,
  PRIMARY KEY (run_id, round_number)
);

CREATE TABLE flotilla_clients (
  run_id      VARCHAR(200) NOT NULL REFERENCES flotilla_runs (id) ON DELETE CASCADE,
  client_id   VARCHAR(500) NOT NULL,
  first_round INTEGER      NOT NULL,
  last_round  INTEGER      NOT NULL,
  PRIMARY KEY (run_id, client_id)
);
