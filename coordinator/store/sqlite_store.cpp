#include "coordinator/store/sqlite_store.h"

#include "coordinator/store/sqlite_schema.h"
#include "coordinator/store/sqlite_statement.h"
#include "coordinator/store/sqlite_transaction.h"

#include <sqlite3.h>

namespace tributary::coordinator {

using engine::Status;

Status SqliteStore::open(const std::string &path, std::unique_ptr<SqliteStore> *store)
{
    // SQLite's memory statistics take a global mutex on every allocation; the coordinator
    // never reads them. Must precede the library's initialisation, hence once per process.
    static std::once_flag configured;
    std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    store->reset();
    const auto fail = [&path](const std::string &why) {
        return Status::error("cannot open database " + path + ": " + why);
    };
    if (path.empty())
        return fail("no path given");

    sqlite3 *db = nullptr;
    // NOMUTEX: SqliteStore serialises use of its one connection itself.
    const int rc = sqlite3_open_v2(
        path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return fail(why);
    }
    std::unique_ptr<SqliteStore> opened(new SqliteStore(db));
    if (auto status = opened->configure(); !status)
        return fail(status.message());
    if (auto status = opened->migrate(); !status)
        return fail(status.message());
    *store = std::move(opened);
    return Status::ok();
}

SqliteStore::SqliteStore(sqlite3 *db)
    : m_db(db)
    , m_transaction(std::make_unique<SqliteTransaction>(*this))
{
}

SqliteStore::~SqliteStore()
{
    m_transaction.reset();
    m_statements.clear(); // finalize before closing
    sqlite3_close(m_db);
}

Status SqliteStore::configure()
{
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, 5000);

    // The first statement to read the file: a file that is not a database fails here.
    SqliteStatement journal(m_db, "PRAGMA journal_mode = WAL");
    bool row = false;
    if (auto status = journal.step(&row); !status)
        return Status::error(sqlite3_errmsg(m_db)); // "file is not a database" says it all
    const std::string mode = row ? journal.columnText(0) : std::string();
    journal.reset();
    // An in-memory database has no WAL; any file-backed one must, or durability and
    // concurrent reads are not what the header promises.
    if (mode != "wal" && mode != "memory")
        return Status::error("cannot switch to WAL journal mode (got \"" + mode + "\")");

    if (auto status = exec("PRAGMA synchronous = NORMAL"); !status)
        return status;
    // A hot working set (open tasks, attempts, balances) read through the page cache and
    // a memory map rather than a pread per page: the coordinator is write-heavy and every
    // transaction touches the same few b-trees.
    if (auto status = exec("PRAGMA cache_size = -65536"); !status)
        return status;
    if (auto status = exec("PRAGMA mmap_size = 1073741824"); !status)
        return status;
    if (auto status = exec("PRAGMA temp_store = MEMORY"); !status)
        return status;
    return exec("PRAGMA foreign_keys = ON");
}

Status SqliteStore::migrate()
{
    std::lock_guard lock(m_mutex);
    if (auto status = exec("BEGIN IMMEDIATE"); !status)
        return status;
    const auto finish = [this](Status status) {
        if (status) {
            status = exec("COMMIT");
            if (status)
                return status;
        }
        exec("ROLLBACK");
        return status;
    };

    auto &exists = statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    bool row = false;
    {
        SqliteStatement::Scope scope(exists);
        if (auto status = exists.step(&row); !status)
            return finish(status);
    }
    if (!row)
        return finish(exec(kSqliteSchemaV2));

    auto &version = statement("SELECT MAX(version) FROM schema_version");
    std::int64_t found = 0;
    {
        SqliteStatement::Scope scope(version);
        if (auto status = version.step(&row); !status)
            return finish(status);
        found = row ? version.columnInt64(0) : 0;
    }
    if (found > kSqliteSchemaVersion)
        return finish(Status::error("schema version " + std::to_string(found)
            + " is newer than this coordinator's (" + std::to_string(kSqliteSchemaVersion) + ")"));
    if (found == 1)
        return finish(Status::error("schema version 1 comes from a development build without accounts or a "
                                    "ledger, and cannot be upgraded; move the file aside to start afresh"));
    if (found < 1)
        return finish(Status::error("schema_version table is empty"));
    return finish(Status::ok());
}

Status SqliteStore::exec(const char *sql)
{
    char *error = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errmsg(m_db);
        sqlite3_free(error);
        return Status::error("sqlite: " + message);
    }
    return Status::ok();
}

SqliteStatement &SqliteStore::statement(const char *sql)
{
    auto &cached = m_statements[sql];
    if (!cached)
        cached = std::make_unique<SqliteStatement>(m_db, sql);
    return *cached;
}

Status SqliteStore::write(const Work &work)
{
    std::lock_guard lock(m_mutex);
    // IMMEDIATE takes the write lock up front, so that a read-then-write transaction
    // never fails half-way with SQLITE_BUSY.
    if (auto status = exec("BEGIN IMMEDIATE"); !status)
        return status;
    m_transaction->setReadOnly(false);
    Status status = work(*m_transaction);
    if (status) {
        status = exec("COMMIT");
        if (status)
            return status;
    }
    exec("ROLLBACK");
    return status;
}

Status SqliteStore::read(const Work &work)
{
    std::lock_guard lock(m_mutex);
    if (auto status = exec("BEGIN"); !status)
        return status;
    m_transaction->setReadOnly(true);
    Status status = work(*m_transaction);
    exec("COMMIT");
    return status;
}

} // namespace tributary::coordinator
