#pragma once

// The coordinator's SQLite schema. Version 2 added accounts, the ledger, attempts (one
// row per lease, so that several nodes can run one task) and partial uploads; version 1
// files come from development builds before accounts existed and are refused with a
// message rather than migrated. A new file is created at version 2 and upgraded, so that
// every file takes the same path to the current version.

namespace tributary::coordinator {

constexpr int kSqliteSchemaVersion = 4;

constexpr const char *kSqliteSchemaV2 = R"sql(
CREATE TABLE schema_version (
    version INTEGER NOT NULL
);
CREATE TABLE accounts (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    token_sha256 TEXT NOT NULL UNIQUE,
    is_admin     INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL
);
CREATE TABLE ledger_transactions (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    memo            TEXT NOT NULL,
    job_id          TEXT NOT NULL,
    task_id         TEXT NOT NULL,
    created_ms      INTEGER NOT NULL
);
CREATE INDEX ledger_transactions_by_job ON ledger_transactions(job_id);
CREATE TABLE ledger_entries (
    id             INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
    book           TEXT NOT NULL,
    amount         INTEGER NOT NULL
);
CREATE INDEX ledger_entries_by_book ON ledger_entries(book, id);
CREATE INDEX ledger_entries_by_transaction ON ledger_entries(transaction_id);
CREATE TABLE balances (
    book    TEXT PRIMARY KEY,
    balance INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    data   BLOB NOT NULL
);
CREATE TABLE upload_chunks (
    sha256     TEXT NOT NULL,
    offset     INTEGER NOT NULL,
    data       BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (sha256, offset)
);
CREATE TABLE nodes (
    id              TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL REFERENCES accounts(id),
    name            TEXT NOT NULL,
    version         TEXT NOT NULL,
    devices         BLOB NOT NULL,
    registered_ms   INTEGER NOT NULL,
    last_seen_ms    INTEGER NOT NULL,
    verified_streak INTEGER NOT NULL DEFAULT 0,
    verified_total  INTEGER NOT NULL DEFAULT 0,
    dishonest_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE jobs (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts(id),
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    spec          BLOB NOT NULL,
    state         INTEGER NOT NULL,
    policy        INTEGER NOT NULL,
    replicas      INTEGER NOT NULL,
    spot_check_p  REAL NOT NULL,
    mode          INTEGER NOT NULL,
    max_attempts  INTEGER NOT NULL,
    deadline_ms   INTEGER NOT NULL,
    tasks_total   INTEGER NOT NULL,
    tasks_done    INTEGER NOT NULL DEFAULT 0,
    live_attempts INTEGER NOT NULL DEFAULT 0,
    created_ms    INTEGER NOT NULL,
    finished_ms   INTEGER NOT NULL DEFAULT 0,
    message       TEXT NOT NULL DEFAULT '',
    result_sha256 TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_by_state ON jobs(state, created_ms);
CREATE INDEX jobs_by_account ON jobs(account_id, created_ms);
CREATE TABLE job_inputs (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    role   TEXT NOT NULL,
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    PRIMARY KEY (job_id, role)
) WITHOUT ROWID;
CREATE TABLE tasks (
    id               TEXT PRIMARY KEY,
    job_id           TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    idx              INTEGER NOT NULL,
    state            INTEGER NOT NULL,
    flops            INTEGER NOT NULL,
    needed           INTEGER NOT NULL,
    live             INTEGER NOT NULL DEFAULT 0,
    submitted        INTEGER NOT NULL DEFAULT 0,
    failures         INTEGER NOT NULL DEFAULT 0,
    last_attempt     INTEGER NOT NULL DEFAULT 0,
    not_before_ms    INTEGER NOT NULL DEFAULT 0,
    accepted_attempt INTEGER NOT NULL DEFAULT 0,
    output_sha256    TEXT NOT NULL DEFAULT '',
    unconfirmed      INTEGER NOT NULL DEFAULT 0,
    completed_ms     INTEGER NOT NULL DEFAULT 0,
    row0             INTEGER NOT NULL,
    col0             INTEGER NOT NULL,
    rows             INTEGER NOT NULL,
    cols             INTEGER NOT NULL,
    UNIQUE (job_id, idx)
);
CREATE INDEX tasks_by_job_state ON tasks(job_id, state, idx);
CREATE TABLE attempts (
    task_id          TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    attempt          INTEGER NOT NULL,
    job_id           TEXT NOT NULL,
    node_id          TEXT NOT NULL REFERENCES nodes(id),
    device_id        TEXT NOT NULL,
    state            INTEGER NOT NULL,
    leased_ms        INTEGER NOT NULL,
    lease_expires_ms INTEGER NOT NULL,
    output_sha256    TEXT NOT NULL DEFAULT '',
    output           BLOB,
    compute_ms       INTEGER NOT NULL DEFAULT 0,
    submitted_ms     INTEGER NOT NULL DEFAULT 0,
    progress         REAL NOT NULL DEFAULT 0,
    message          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (task_id, attempt)
);
CREATE INDEX attempts_leased_by_expiry ON attempts(lease_expires_ms) WHERE state = 1;
-- Without the state: an attempt changes state several times, and these serve only rare
-- work (ending a job, catching a cheater), where filtering the rows is cheap enough.
CREATE INDEX attempts_by_job ON attempts(job_id);
CREATE INDEX attempts_by_node ON attempts(node_id);
INSERT INTO schema_version(version) VALUES (2);
)sql";

// Version 3 makes the hot path (lease, submit, pay) touch fewer b-trees:
// - a job's cost (what it has paid nodes: payments less clawbacks) and its tasks' count
//   in each state are kept on its row, so that watching a job neither sums its payments
//   nor counts its tasks, and the ledger needs no index by job or by transaction;
// - only QUEUED tasks are indexed for leasing (a partial index), so that a task's other
//   state changes leave the index alone;
// - attempts are no longer indexed by job: ending a job finds them through its tasks.
constexpr const char *kSqliteUpgradeToV3 = R"sql(
ALTER TABLE jobs ADD COLUMN cost_units INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET cost_units = (
    SELECT COALESCE(SUM(CASE WHEN t.kind = 'payment' AND e.amount > 0 THEN e.amount
                             WHEN t.kind = 'clawback' AND e.amount < 0 THEN e.amount ELSE 0 END), 0)
    FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_id = t.id
    WHERE t.job_id = jobs.id AND t.kind IN ('payment', 'clawback'));
ALTER TABLE jobs ADD COLUMN queued_tasks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN running_tasks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN verifying_tasks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN done_tasks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN failed_tasks INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET
    queued_tasks = (SELECT COUNT(*) FROM tasks WHERE job_id = jobs.id AND state = 1),
    running_tasks = (SELECT COUNT(*) FROM tasks WHERE job_id = jobs.id AND state = 2),
    verifying_tasks = (SELECT COUNT(*) FROM tasks WHERE job_id = jobs.id AND state = 3),
    done_tasks = (SELECT COUNT(*) FROM tasks WHERE job_id = jobs.id AND state = 4),
    failed_tasks = (SELECT COUNT(*) FROM tasks WHERE job_id = jobs.id AND state = 5);
DROP INDEX ledger_entries_by_transaction;
DROP INDEX ledger_transactions_by_job;
DROP INDEX tasks_by_job_state;
CREATE INDEX tasks_queued ON tasks(job_id, idx) WHERE state = 1;
DROP INDEX attempts_by_job;
INSERT INTO schema_version(version) VALUES (3);
)sql";

// Version 4 adds training jobs' loss and accuracy per run and round.
constexpr const char *kSqliteUpgradeToV4 = R"sql(
CREATE TABLE job_metrics (
    job_id        TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    run           INTEGER NOT NULL,
    round         INTEGER NOT NULL,
    step          INTEGER NOT NULL,
    train_loss    REAL NOT NULL,
    test_accuracy REAL NOT NULL,
    test_loss     REAL NOT NULL,
    PRIMARY KEY (job_id, run, round)
) WITHOUT ROWID;
INSERT INTO schema_version(version) VALUES (4);
)sql";

} // namespace tributary::coordinator
