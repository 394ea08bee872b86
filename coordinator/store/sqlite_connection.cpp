#include "coordinator/store/sqlite_connection.h"

#include "coordinator/store/sqlite_statement.h"
#include "coordinator/store/sqlite_transaction.h"

#include <sqlite3.h>

#include <mutex>

namespace tributary::coordinator {

using engine::Status;

Status SqliteConnection::open(const std::string &path, Role role, std::unique_ptr<SqliteConnection> *connection)
{
    // SQLite's memory statistics take a global mutex on every allocation; the coordinator
    // never reads them. Must precede the library's initialisation, hence once per process.
    static std::once_flag configured;
    std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    connection->reset();

    sqlite3 *db = nullptr;
    // NOMUTEX: a connection is only ever used by the thread holding it.
    const int rc = sqlite3_open_v2(
        path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return Status::error(why);
    }
    std::unique_ptr<SqliteConnection> opened(new SqliteConnection(db));
    if (auto status = opened->configure(role); !status)
        return status;
    *connection = std::move(opened);
    return Status::ok();
}

SqliteConnection::SqliteConnection(sqlite3 *db)
    : m_db(db)
    , m_transaction(std::make_unique<SqliteTransaction>(*this))
{
}

SqliteConnection::~SqliteConnection()
{
    m_transaction.reset();
    m_statements.clear(); // finalize before closing
    sqlite3_close(m_db);
}

Status SqliteConnection::configure(Role role)
{
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 5000);

    if (role == Role::Writer) {
        // 8 KiB pages for a new file (an existing one keeps its size): the hot b-trees are
        // a level shallower and a commit writes half as many log frames as with 4 KiB,
        // which the load benchmark shows as ~14% more tasks per second.
        if (auto status = exec("PRAGMA page_size = 8192"); !status)
            return status;
    }
    // The first statement to read the file: a file that is not a database fails here.
    SqliteStatement journal(m_db, "PRAGMA journal_mode = WAL");
    bool row = false;
    if (auto status = journal.step(&row); !status)
        return Status::error(sqlite3_errmsg(m_db)); // "file is not a database" says it all
    const std::string mode = row ? journal.columnText(0) : std::string();
    journal.reset();
    // An in-memory database has no WAL; any file-backed one must, or durability and
    // concurrent reads are not what SqliteStore promises.
    if (mode != "wal" && mode != "memory")
        return Status::error("cannot switch to WAL journal mode (got \"" + mode + "\")");

    if (auto status = exec("PRAGMA synchronous = NORMAL"); !status)
        return status;
    // A hot working set (open tasks, attempts, balances) read through the page cache and
    // a memory map rather than a pread per page: the coordinator is write-heavy and every
    // transaction touches the same few b-trees. Readers keep a smaller cache each.
    if (auto status = exec(role == Role::Writer ? "PRAGMA cache_size = -65536" : "PRAGMA cache_size = -16384");
        !status)
        return status;
    if (auto status = exec("PRAGMA mmap_size = 1073741824"); !status)
        return status;
    if (auto status = exec("PRAGMA temp_store = MEMORY"); !status)
        return status;
    if (role == Role::Writer) {
        // Checkpoints run on WalCheckpointer's thread, asked for by SqliteStore's hook.
        if (auto status = exec("PRAGMA wal_autocheckpoint = 0"); !status)
            return status;
    }
    if (role == Role::Reader) {
        if (auto status = exec("PRAGMA query_only = 1"); !status)
            return status;
    }
    return exec("PRAGMA foreign_keys = ON");
}

Status SqliteConnection::exec(const char *sql)
{
    char *error = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errmsg(m_db);
        sqlite3_free(error);
        return Status::error("sqlite: " + message);
    }
    return Status::ok();
}

Status SqliteConnection::run(const char *sql)
{
    SqliteStatement &prepared = statement(sql);
    SqliteStatement::Scope scope(prepared);
    return prepared.run();
}

SqliteStatement &SqliteConnection::statement(const char *sql)
{
    auto &cached = m_statements[sql];
    if (!cached)
        cached = std::make_unique<SqliteStatement>(m_db, sql);
    return *cached;
}

} // namespace tributary::coordinator
