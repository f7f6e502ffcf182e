/**
 * The PostgreSQL project database's schema, as numbered migrations. The table `schema_version`
 * records how many have been applied; opening a database applies the rest in order, each in its
 * own transaction (under an advisory lock, so two app servers starting at once migrate once),
 * and a database newer than this code is refused instead of being misread. A migration, once
 * released, is never edited: changes go in a new one.
 *
 * Migration 1 is SQLite's seven (src/store/schema.ts) as one: the same tables, columns, checks
 * and unique indexes. Differences: `seq ... GENERATED ALWAYS AS IDENTITY` for AUTOINCREMENT;
 * BIGINT for every integer (env steps outgrow INTEGER; the backend reads int8 as a number);
 * DOUBLE PRECISION for REAL, bytea for BLOB; timestamps stay ISO TEXT so they round-trip as
 * SQLite's do. Ids and times that are ordered or compared take COLLATE "C" (byte order, as in
 * SQLite), whatever the database's collation.
 */

/** Created before any migration: how many migrations the database has. */
export const VERSION_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_version (
    id SMALLINT PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    version INTEGER NOT NULL
  );
  INSERT INTO schema_version (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
`;

/** The columns a label row has, in every table that keeps labels (labels, withdrawn_labels, superseded_labels). */
const LABEL_TABLE_COLUMNS = `
    run_id TEXT COLLATE "C" NOT NULL,
    query_id TEXT COLLATE "C" NOT NULL,
    left_id TEXT COLLATE "C" NOT NULL,
    right_id TEXT COLLATE "C" NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('left', 'right', 'equal', 'incomparable')),
    teacher TEXT NOT NULL,
    annotator_id BIGINT REFERENCES annotators(id),
    seconds DOUBLE PRECISION,
    received_at_step BIGINT NOT NULL,
    client_id TEXT,
    created_at TEXT COLLATE "C" NOT NULL,
    arm TEXT CHECK (arm IN ('assisted', 'unassisted')),
    critique TEXT,
    critique_response TEXT CHECK (critique_response IN ('accepted', 'dismissed'))`;

export const PG_MIGRATIONS: readonly string[] = [
  // 1: runs, segments, queries (repeats and gold pairs point at their original), annotators,
  // labels (and the ones people undid, and the ones superseded in SQLite's migration 3, kept for
  // parity), the runs' metrics.
  `
  CREATE TABLE runs (
    id TEXT COLLATE "C" PRIMARY KEY,
    env_id TEXT NOT NULL,
    instructions TEXT NOT NULL DEFAULT '',
    label_budget BIGINT,
    config TEXT NOT NULL DEFAULT '{}',
    env_steps BIGINT NOT NULL DEFAULT 0,
    created_at TEXT COLLATE "C" NOT NULL,
    render_spec TEXT,
    finished_at TEXT,
    guidelines TEXT NOT NULL DEFAULT '',
    phase TEXT CHECK (phase IN ('initial', 'pretraining', 'rl')),
    waiting_for BIGINT,
    used_label_seq BIGINT NOT NULL DEFAULT 0
  );

  CREATE TABLE segments (
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs(id),
    id TEXT COLLATE "C" NOT NULL,
    env_id TEXT NOT NULL,
    seed BIGINT NOT NULL,
    env_index BIGINT NOT NULL,
    global_step BIGINT NOT NULL,
    length BIGINT NOT NULL CHECK (length > 0),
    obs_size BIGINT NOT NULL,
    action_size BIGINT NOT NULL,
    render_size BIGINT NOT NULL,
    terminated SMALLINT NOT NULL CHECK (terminated IN (0, 1)),
    obs BYTEA NOT NULL,
    actions BYTEA NOT NULL,
    render BYTEA,
    true_rewards BYTEA,
    PRIMARY KEY (run_id, id)
  );

  CREATE TABLE annotators (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL CONSTRAINT annotators_name_key UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('annotator', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    expires_at TEXT
  );

  CREATE TABLE queries (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    left_id TEXT COLLATE "C" NOT NULL,
    right_id TEXT COLLATE "C" NOT NULL,
    asked_at_step BIGINT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'normal' CHECK (kind IN ('normal', 'gold', 'repeat')),
    assigned_to BIGINT REFERENCES annotators(id),
    assigned_at TEXT COLLATE "C",
    answered SMALLINT NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    repeat_of TEXT,
    created_at TEXT NOT NULL,
    gold_answer TEXT CHECK (gold_answer IN ('left', 'right', 'equal', 'incomparable')),
    UNIQUE (run_id, id),
    FOREIGN KEY (run_id, left_id) REFERENCES segments(run_id, id),
    FOREIGN KEY (run_id, right_id) REFERENCES segments(run_id, id)
  );
  CREATE INDEX queries_open ON queries(run_id, answered, seq);
  CREATE INDEX queries_assigned ON queries(run_id, assigned_to, answered, seq);

  CREATE TABLE labels (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,${LABEL_TABLE_COLUMNS},
    UNIQUE (run_id, client_id),
    FOREIGN KEY (run_id, query_id) REFERENCES queries(run_id, id)
  );
  CREATE INDEX labels_by_run ON labels(run_id, seq);
  CREATE INDEX labels_by_query ON labels(run_id, query_id);
  CREATE INDEX labels_by_annotator ON labels(run_id, annotator_id);
  -- An annotator answers a query once; labels without an annotator (NULL: distinct) are not limited.
  CREATE UNIQUE INDEX labels_once_per_annotator ON labels(run_id, query_id, annotator_id);

  CREATE TABLE superseded_labels (
    seq BIGINT NOT NULL,${LABEL_TABLE_COLUMNS}
  );

  CREATE TABLE withdrawn_labels (
    seq BIGINT NOT NULL,${LABEL_TABLE_COLUMNS},
    withdrawn_at TEXT
  );
  CREATE INDEX withdrawn_by_client ON withdrawn_labels(run_id, client_id);

  CREATE TABLE metrics (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs(id),
    env_steps BIGINT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX metrics_by_run ON metrics(run_id, seq);
  `,
  // 2: people's answers to a run's own pairs, counted as they come (every response of the
  // labeling server carries the count, and counting the labels each time grows with them; 8 ms
  // at 17,000 labels). Kept under the run's lock by submitLabel and withdrawLabel; not part of
  // a moved project (recounted when one arrives).
  `
  CREATE TABLE run_people_labels (
    run_id TEXT COLLATE "C" PRIMARY KEY REFERENCES runs(id),
    n BIGINT NOT NULL DEFAULT 0
  );
  INSERT INTO run_people_labels (run_id, n)
    SELECT r.id, (SELECT COUNT(*) FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
                  WHERE l.run_id = r.id AND l.annotator_id IS NOT NULL AND q.kind = 'normal') FROM runs r;
  `,
  // 3: reports made from a run (e.g. the attention report of `overseer interp`), JSON text, one per kind.
  `
  CREATE TABLE run_reports (
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs(id),
    kind TEXT COLLATE "C" NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, kind)
  );
  `,
  // 4: debate games (issue 23), as SQLite's migration 10. Small numbers are INTEGER/SMALLINT
  // (read as numbers, as SQLite's are), so a moved project's rows compare equal.
  `
  CREATE TABLE debate_games (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id TEXT COLLATE "C" NOT NULL REFERENCES runs(id),
    id TEXT COLLATE "C" NOT NULL,
    annotator_id BIGINT REFERENCES annotators(id),
    annotator TEXT,
    role TEXT NOT NULL CHECK (role IN ('judge', 'debater', 'model')),
    image_index INTEGER NOT NULL CHECK (image_index BETWEEN 0 AND 9999),
    k INTEGER NOT NULL CHECK (k BETWEEN 1 AND 784),
    precommit SMALLINT NOT NULL CHECK (precommit IN (0, 1)),
    first_mover TEXT NOT NULL CHECK (first_mover IN ('honest', 'liar')),
    truth SMALLINT NOT NULL CHECK (truth BETWEEN 0 AND 9),
    lie SMALLINT CHECK (lie BETWEEN 0 AND 9 AND lie <> truth),
    reveals TEXT NOT NULL,
    person_pick SMALLINT CHECK (person_pick BETWEEN 0 AND 9),
    model_pick SMALLINT NOT NULL CHECK (model_pick BETWEEN 0 AND 9),
    seconds DOUBLE PRECISION CHECK (seconds >= 0),
    created_at TEXT COLLATE "C" NOT NULL,
    UNIQUE (run_id, id),
    CHECK (precommit = 0 OR lie IS NOT NULL),
    CHECK (lie IS NULL OR (model_pick IN (truth, lie) AND (person_pick IS NULL OR person_pick IN (truth, lie)))),
    CHECK (annotator_id IS NULL OR annotator IS NOT NULL),
    CHECK (CASE role
      WHEN 'model' THEN annotator IS NULL AND person_pick IS NULL AND seconds IS NULL
      WHEN 'judge' THEN annotator IS NOT NULL AND person_pick IS NOT NULL
      ELSE annotator IS NOT NULL AND person_pick IS NULL END)
  );
  CREATE INDEX debate_games_by_run ON debate_games(run_id, seq);
  `,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;
