#include "coordinator/store/sqlite_statement.h"

#include <sqlite3.h>

namespace tributary::coordinator {

SqliteStatement::SqliteStatement(sqlite3 *db, std::string_view sql)
    : m_db(db)
    , m_sql(sql)
{
    const int rc = sqlite3_prepare_v3(
        m_db, m_sql.data(), static_cast<int>(m_sql.size()), SQLITE_PREPARE_PERSISTENT, &m_statement, nullptr);
    if (rc != SQLITE_OK)
        noteError(rc, "prepare");
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

void SqliteStatement::noteError(int rc, const char *what)
{
    if (!m_error.empty())
        return;
    // sqlite3_errmsg often says more than sqlite3_errstr ("no such table: jobs"), but
    // belongs to the last call on the connection, which is this one except for binds.
    const char *message = rc == SQLITE_RANGE ? nullptr : sqlite3_errmsg(m_db);
    m_error = std::string("sqlite ") + what + ": " + (message ? message : sqlite3_errstr(rc)) + " (in \""
        + m_sql + "\")";
}

void SqliteStatement::bind(int index, std::int64_t value)
{
    if (!m_statement)
        return;
    if (int rc = sqlite3_bind_int64(m_statement, index, value); rc != SQLITE_OK)
        noteError(rc, "bind");
}

void SqliteStatement::bindDouble(int index, double value)
{
    if (!m_statement)
        return;
    if (int rc = sqlite3_bind_double(m_statement, index, value); rc != SQLITE_OK)
        noteError(rc, "bind");
}

void SqliteStatement::bind(int index, std::string_view text)
{
    if (!m_statement)
        return;
    // A null pointer would bind SQL NULL; an empty view is still the empty string.
    const char *chars = text.data() ? text.data() : "";
    if (int rc = sqlite3_bind_text64(m_statement, index, chars, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK)
        noteError(rc, "bind");
}

void SqliteStatement::bindBlob(int index, std::span<const std::byte> data)
{
    if (!m_statement)
        return;
    // A null pointer would bind SQL NULL; an empty output is still a (zero-length) blob.
    static constexpr char kEmpty = 0;
    const void *bytes
        = data.empty() ? static_cast<const void *>(&kEmpty) : static_cast<const void *>(data.data());
    if (int rc = sqlite3_bind_blob64(m_statement, index, bytes, data.size(), SQLITE_STATIC); rc != SQLITE_OK)
        noteError(rc, "bind");
}

void SqliteStatement::bindNull(int index)
{
    if (!m_statement)
        return;
    if (int rc = sqlite3_bind_null(m_statement, index); rc != SQLITE_OK)
        noteError(rc, "bind");
}

engine::Status SqliteStatement::step(bool *row)
{
    *row = false;
    if (!m_error.empty())
        return engine::Status::error(m_error);
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW) {
        *row = true;
        return engine::Status::ok();
    }
    if (rc == SQLITE_DONE)
        return engine::Status::ok();
    noteError(rc, "step");
    return engine::Status::error(m_error);
}

engine::Status SqliteStatement::run()
{
    bool row = true;
    while (row) {
        if (auto status = step(&row); !status)
            return status;
    }
    return engine::Status::ok();
}

std::int64_t SqliteStatement::columnInt64(int index) const
{
    return sqlite3_column_int64(m_statement, index);
}

double SqliteStatement::columnDouble(int index) const
{
    return sqlite3_column_double(m_statement, index);
}

std::string SqliteStatement::columnText(int index) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, index));
    if (!text)
        return {};
    return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, index)));
}

std::string SqliteStatement::columnBlob(int index) const
{
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_statement, index));
    if (!data)
        return {};
    return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(m_statement, index)));
}

bool SqliteStatement::columnIsNull(int index) const
{
    return sqlite3_column_type(m_statement, index) == SQLITE_NULL;
}

void SqliteStatement::reset()
{
    if (m_statement) {
        sqlite3_reset(m_statement);
        sqlite3_clear_bindings(m_statement);
        m_error.clear();
    }
}

} // namespace tributary::coordinator
