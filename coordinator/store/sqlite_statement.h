#pragma once

// SqliteStatement: one prepared sqlite3 statement, kept for the life of its connection and
// reused (SqliteStore caches one per SQL text).
//
//   SqliteStatement::Scope query(statement);   // resets it and clears bindings on exit
//   statement.bind(1, id);
//   bool row = false;
//   if (auto status = statement.step(&row); !status) return status;
//   if (row) name = statement.columnText(0);
//
// Errors while preparing or binding are remembered and returned by the next step(), so
// call sites check one Status per statement. Not thread-safe: the owner serialises use.

#include "engine/status.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace tributary::coordinator {

class SqliteStatement {
public:
    SqliteStatement(sqlite3 *db, std::string_view sql);
    ~SqliteStatement();

    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    // Resets the statement when it goes out of scope, so that a half-read query does not
    // keep its read transaction open.
    class Scope {
    public:
        explicit Scope(SqliteStatement &statement)
            : m_statement(statement)
        {
            m_statement.reset();
        }
        ~Scope() { m_statement.reset(); }
        Scope(const Scope &) = delete;
        Scope &operator=(const Scope &) = delete;

    private:
        SqliteStatement &m_statement;
    };

    // Parameters are 1-based, as in SQL.
    void bind(int index, std::int64_t value);
    void bindDouble(int index, double value);
    void bind(int index, std::string_view text); // copied
    void bindBlob(int index, std::span<const std::byte> data); // must outlive step()
    void bindNull(int index);

    // One step: *row is true when a row is ready, false when the statement is done.
    engine::Status step(bool *row);
    // Steps to the end, for statements that return no rows.
    engine::Status run();

    // Columns are 0-based, as in sqlite3_column_*.
    std::int64_t columnInt64(int index) const;
    double columnDouble(int index) const;
    std::string columnText(int index) const; // "" for NULL
    std::string columnBlob(int index) const; // "" for NULL
    bool columnIsNull(int index) const;

    void reset();

private:
    void noteError(int rc, const char *what);

    sqlite3 *m_db;
    sqlite3_stmt *m_statement = nullptr;
    std::string m_sql;
    std::string m_error; // first prepare or bind error since the last reset
};

} // namespace tributary::coordinator
