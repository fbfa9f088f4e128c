-- The workflow a run was started with: 'sync', or 'async' and the asynchronous settings a resume must match.
-- Runs stored before this column existed were all synchronous.
ALTER TABLE flotilla_runs ADD COLUMN workflow VARCHAR(2000) DEFAULT 'sync' NOT NULL;
