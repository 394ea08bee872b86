#pragma once

// SqliteConnection: one open SQLite connection with its prepared statements and the
// StoreTransaction that works through them. SqliteStore keeps one for writing and a few
// for reading; nothing else opens one.
//
// Not thread-safe: whoever holds a connection uses it alone (SqliteStore hands them out).

#include "engine/status.h"

#include <memory>
#include <string>
#include <unordered_map>

struct sqlite3;

namespace tributary::coordinator {

class SqliteStatement;
class SqliteTransaction;

class SqliteConnection {
public:
    enum class Role { Writer, Reader, Checkpointer };

    // Opens path and applies the connection's settings. The writer switches the file to
    // WAL; a reader is refused every change by SQLite itself (query_only); the
    // checkpointer only copies the log into the file.
    static engine::Status open(const std::string &path, Role role, std::unique_ptr<SqliteConnection> *connection);

    ~SqliteConnection();
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    sqlite3 *db() const { return m_db; }
    engine::Status exec(const char *sql);
    // Runs a statement without parameters (BEGIN, COMMIT, SAVEPOINT...) prepared once.
    engine::Status run(const char *sql);
    // The cached prepared statement for this SQL text (a string literal).
    SqliteStatement &statement(const char *sql);
    SqliteTransaction &transaction() { return *m_transaction; }

private:
    explicit SqliteConnection(sqlite3 *db);
    engine::Status configure(Role role);

    sqlite3 *m_db;
    std::unordered_map<const char *, std::unique_ptr<SqliteStatement>> m_statements;
    std::unique_ptr<SqliteTransaction> m_transaction;
};

} // namespace tributary::coordinator
