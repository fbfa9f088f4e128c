-- A run records what kind of run it is (a server's or a simulation's) and the settings a resume must match beyond
-- the strategy, model, rounds and seed (a simulation's clients, partition, training options and data). Runs stored
-- before this migration are server runs with no further settings.

ALTER TABLE flotilla_runs ADD COLUMN kind VARCHAR(20) DEFAULT 'server' NOT NULL;

ALTER TABLE flotilla_runs ADD COLUMN settings VARCHAR(4000) DEFAULT '' NOT NULL;
