/**
 * The project database's schema, as numbered migrations. `PRAGMA user_version` records how
 * many have been applied; opening a database applies the rest in order, each in its own
 * transaction, so an older project file upgrades in place and a newer one is refused instead
 * of being misread.
 *
 * Float arrays (observations, actions, render states, true rewards) are stored as raw-deflated
 * little-endian float32/float64 bytes; the row's sizes say how many values to expect
 * (src/store/segmentCodec.ts reads and writes segment rows). A migration, once released, is
 * never edited: changes go in a new one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: runs, segments, queries (repeats point at their original), annotators, labels, the runs' metrics.
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    env_id TEXT NOT NULL,
    instructions TEXT NOT NULL DEFAULT '',
    label_budget INTEGER,
    config TEXT NOT NULL DEFAULT '{}',
    env_steps INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE segments (
    run_id TEXT NOT NULL REFERENCES runs(id),
    id TEXT NOT NULL,
    env_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    env_index INTEGER NOT NULL,
    global_step INTEGER NOT NULL,
    length INTEGER NOT NULL CHECK (length > 0),
    obs_size INTEGER NOT NULL,
    action_size INTEGER NOT NULL,
    render_size INTEGER NOT NULL,
    terminated INTEGER NOT NULL CHECK (terminated IN (0, 1)),
    obs BLOB NOT NULL,
    actions BLOB NOT NULL,
    render BLOB,
    true_rewards BLOB,
    PRIMARY KEY (run_id, id)
  ) STRICT, WITHOUT ROWID;

  CREATE TABLE annotators (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('annotator', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE queries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    id TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    asked_at_step INTEGER NOT NULL,
    kind TEXT NOT NULL DEFAULT 'normal' CHECK (kind IN ('normal', 'gold', 'repeat')),
    assigned_to INTEGER REFERENCES annotators(id),
    assigned_at TEXT,
    answered INTEGER NOT NULL DEFAULT 0 CHECK (answered IN (0, 1)),
    repeat_of TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (run_id, id),
    FOREIGN KEY (run_id, left_id) REFERENCES segments(run_id, id),
    FOREIGN KEY (run_id, right_id) REFERENCES segments(run_id, id)
  ) STRICT;
  CREATE INDEX queries_open ON queries(run_id, answered, seq);
  CREATE INDEX queries_assigned ON queries(run_id, assigned_to, answered, seq);

  CREATE TABLE labels (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL,
    query_id TEXT NOT NULL,
    left_id TEXT NOT NULL,
    right_id TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('left', 'right', 'equal', 'incomparable')),
    teacher TEXT NOT NULL,
    annotator_id INTEGER REFERENCES annotators(id),
    seconds REAL,
    received_at_step INTEGER NOT NULL,
    client_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (run_id, client_id),
    FOREIGN KEY (run_id, query_id) REFERENCES queries(run_id, id)
  ) STRICT;
  CREATE INDEX labels_by_run ON labels(run_id, seq);
  CREATE INDEX labels_by_query ON labels(run_id, query_id);
  CREATE INDEX labels_by_annotator ON labels(run_id, annotator_id);

  CREATE TABLE metrics (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    env_steps INTEGER NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX metrics_by_run ON metrics(run_id, seq);
  `,
  // 2: how the page draws a run's segments (its env's render spec, JSON), so the server never builds an env.
  // NULL for runs made before: the server works it out from the env id for those.
  `
  ALTER TABLE runs ADD COLUMN render_spec TEXT;
  `,
  // 3: an annotator answers a query once: gold pairs take one label per annotator (normal and
  // repeated pairs already took one label in all). Labels that broke this before (a second answer
  // to a gold pair from the same annotator) are moved aside into superseded_labels, not lost; the
  // first answer stays. Labels without an annotator (the loop's, imported ones) are not limited
  // here (NULLs are distinct in a unique index).
  `
  CREATE TABLE superseded_labels AS SELECT * FROM labels WHERE 0;
  INSERT INTO superseded_labels SELECT * FROM labels l WHERE l.annotator_id IS NOT NULL
    AND EXISTS (SELECT 1 FROM labels o WHERE o.run_id = l.run_id AND o.query_id = l.query_id AND o.annotator_id = l.annotator_id AND o.seq < l.seq);
  DELETE FROM labels WHERE seq IN (SELECT seq FROM superseded_labels);
  CREATE UNIQUE INDEX labels_once_per_annotator ON labels(run_id, query_id, annotator_id);
  `,
  // 4: when a run finished (NULL while it runs): a finished run hands out no pairs and takes no labels.
  `
  ALTER TABLE runs ADD COLUMN finished_at TEXT;
  `,
  // 5: tokens that end: revoked by hand (annotators revoke), or expiring at a set time. NULL: never.
  `
  ALTER TABLE annotators ADD COLUMN revoked_at TEXT;
  ALTER TABLE annotators ADD COLUMN expires_at TEXT;
  `,
  // 6: what the pages show and people can change.
  // - runs: the admin's labeling guidelines; the loop's phase and how many labels it waits for;
  //   used_label_seq, the last label the run has taken for training (later ones can still be undone).
  //   Runs made before had taken every label they have.
  // - queries: a gold pair's known answer (NULL: not known, e.g. imported).
  // - withdrawn_labels: answers people undid, moved aside (kept, not counted), with when.
  `
  ALTER TABLE runs ADD COLUMN guidelines TEXT NOT NULL DEFAULT '';
  ALTER TABLE runs ADD COLUMN phase TEXT CHECK (phase IN ('initial', 'pretraining', 'rl'));
  ALTER TABLE runs ADD COLUMN waiting_for INTEGER;
  ALTER TABLE runs ADD COLUMN used_label_seq INTEGER NOT NULL DEFAULT 0;
  UPDATE runs SET used_label_seq = COALESCE((SELECT MAX(seq) FROM labels WHERE labels.run_id = runs.id), 0);
  ALTER TABLE queries ADD COLUMN gold_answer TEXT CHECK (gold_answer IN ('left', 'right', 'equal', 'incomparable'));
  CREATE TABLE withdrawn_labels AS SELECT * FROM labels WHERE 0;
  ALTER TABLE withdrawn_labels ADD COLUMN withdrawn_at TEXT;
  CREATE INDEX withdrawn_by_client ON withdrawn_labels(run_id, client_id);
  `,
  // 7: a trial of assistance: the arm a person's pair was shown in, the critique shown (a
  // ShownCritique, JSON) and what the person did with it. NULL: a label given outside a trial
  // (every label stored before). The label tables that copy labels' rows take the same columns,
  // so an undone answer keeps its assistance, and `SELECT *` copies stay aligned.
  `
  ALTER TABLE labels ADD COLUMN arm TEXT CHECK (arm IN ('assisted', 'unassisted'));
  ALTER TABLE labels ADD COLUMN critique TEXT;
  ALTER TABLE labels ADD COLUMN critique_response TEXT CHECK (critique_response IN ('accepted', 'dismissed'));
  ALTER TABLE withdrawn_labels ADD COLUMN arm TEXT CHECK (arm IN ('assisted', 'unassisted'));
  ALTER TABLE withdrawn_labels ADD COLUMN critique TEXT;
  ALTER TABLE withdrawn_labels ADD COLUMN critique_response TEXT CHECK (critique_response IN ('accepted', 'dismissed'));
  ALTER TABLE superseded_labels ADD COLUMN arm TEXT CHECK (arm IN ('assisted', 'unassisted'));
  ALTER TABLE superseded_labels ADD COLUMN critique TEXT;
  ALTER TABLE superseded_labels ADD COLUMN critique_response TEXT CHECK (critique_response IN ('accepted', 'dismissed'));
  `,
  // 8: a run's count of people's answers to its own pairs, kept by triggers as labels come and go
  // (submitted, undone, moved in), since every response of the labeling server carries it and
  // counting them took a quarter of a saturated server's time (bench/study.ts saturation).
  // The trigger reads the pair's kind, so a label is counted only once its pair is stored.
  `
  CREATE TABLE run_people_labels (
    run_id TEXT PRIMARY KEY REFERENCES runs(id),
    n INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO run_people_labels (run_id, n)
    SELECT r.id, (SELECT COUNT(*) FROM labels l JOIN queries q ON q.run_id = l.run_id AND q.id = l.query_id
                  WHERE l.run_id = r.id AND l.annotator_id IS NOT NULL AND q.kind = 'normal') FROM runs r;
  CREATE TRIGGER people_label_added AFTER INSERT ON labels
    WHEN NEW.annotator_id IS NOT NULL AND (SELECT kind FROM queries WHERE run_id = NEW.run_id AND id = NEW.query_id) = 'normal'
  BEGIN
    INSERT INTO run_people_labels (run_id, n) VALUES (NEW.run_id, 1) ON CONFLICT (run_id) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER people_label_removed AFTER DELETE ON labels
    WHEN OLD.annotator_id IS NOT NULL AND (SELECT kind FROM queries WHERE run_id = OLD.run_id AND id = OLD.query_id) = 'normal'
  BEGIN
    UPDATE run_people_labels SET n = n - 1 WHERE run_id = OLD.run_id;
  END;
  `,
  // 9: reports made from a run (e.g. the attention report of `overseer interp`), JSON text, one per kind.
  `
  CREATE TABLE run_reports (
    run_id TEXT NOT NULL REFERENCES runs(id),
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (run_id, kind)
  );
  `,
  // 10: debate games (issue 23) people played on the debate pages, and games between models: one
  // row per game, its reveals as JSON. The person is kept by id and by name (an imported game has
  // the name only); the checks are rules.ts's debateGameProblem, but those that need the reveals.
  `
  CREATE TABLE debate_games (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL REFERENCES runs(id),
    id TEXT NOT NULL,
    annotator_id INTEGER REFERENCES annotators(id),
    annotator TEXT,
    role TEXT NOT NULL CHECK (role IN ('judge', 'debater', 'model')),
    image_index INTEGER NOT NULL CHECK (image_index BETWEEN 0 AND 9999),
    k INTEGER NOT NULL CHECK (k BETWEEN 1 AND 784),
    precommit INTEGER NOT NULL CHECK (precommit IN (0, 1)),
    first_mover TEXT NOT NULL CHECK (first_mover IN ('honest', 'liar')),
    truth INTEGER NOT NULL CHECK (truth BETWEEN 0 AND 9),
    lie INTEGER CHECK (lie BETWEEN 0 AND 9 AND lie <> truth),
    reveals TEXT NOT NULL,
    person_pick INTEGER CHECK (person_pick BETWEEN 0 AND 9),
    model_pick INTEGER NOT NULL CHECK (model_pick BETWEEN 0 AND 9),
    seconds REAL CHECK (seconds >= 0),
    created_at TEXT NOT NULL,
    UNIQUE (run_id, id),
    CHECK (precommit = 0 OR lie IS NOT NULL),
    CHECK (lie IS NULL OR (model_pick IN (truth, lie) AND (person_pick IS NULL OR person_pick IN (truth, lie)))),
    CHECK (annotator_id IS NULL OR annotator IS NOT NULL),
    CHECK (CASE role
      WHEN 'model' THEN annotator IS NULL AND person_pick IS NULL AND seconds IS NULL
      WHEN 'judge' THEN annotator IS NOT NULL AND person_pick IS NOT NULL
      ELSE annotator IS NOT NULL AND person_pick IS NULL END)
  ) STRICT;
  CREATE INDEX debate_games_by_run ON debate_games(run_id, seq);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
