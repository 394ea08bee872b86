#pragma once

// SqliteStore: the Store on one SQLite file.
//
//   std::unique_ptr<SqliteStore> store;
//   if (auto status = SqliteStore::open("/var/lib/tributary/coordinator.db", &store); !status)
//       ...;   // status.message(): "cannot open database <path>: <sqlite error>"
//
// The file is opened in WAL mode with synchronous=NORMAL: a committed change survives the
// process being killed (not necessarily a power cut, which is the usual SQLite trade-off
// for a write-heavy server), and readers never wait for the writer. Foreign keys are on,
// and a busy timeout lets another process (an operator's sqlite3 shell) hold a lock
// briefly. The schema is created on first open and versioned in `schema_version`; a file
// written by a newer coordinator is refused rather than misread.
//
// One connection, behind a mutex: gRPC threads take turns, which also makes every
// transaction serializable. Statements are prepared once and reused.

#include "coordinator/store/store.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

struct sqlite3;

namespace tributary::coordinator {

class SqliteStatement;
class SqliteTransaction;

class SqliteStore final : public Store {
public:
    // Opens or creates the database at path (":memory:" for a private in-memory one).
    static engine::Status open(const std::string &path, std::unique_ptr<SqliteStore> *store);

    ~SqliteStore() override;

    engine::Status write(const Work &work) override;
    engine::Status read(const Work &work) override;

private:
    friend class SqliteTransaction;

    explicit SqliteStore(sqlite3 *db);

    engine::Status configure();
    engine::Status migrate();
    engine::Status exec(const char *sql);
    // The cached prepared statement for this SQL text (a string literal).
    SqliteStatement &statement(const char *sql);

    sqlite3 *m_db;
    std::mutex m_mutex;
    std::unordered_map<const char *, std::unique_ptr<SqliteStatement>> m_statements;
    std::unique_ptr<SqliteTransaction> m_transaction;
};

} // namespace tributary::coordinator
