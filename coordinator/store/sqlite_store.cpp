#include "coordinator/store/sqlite_store.h"

#include "coordinator/store/sqlite_connection.h"
#include "coordinator/store/sqlite_schema.h"
#include "coordinator/store/sqlite_statement.h"
#include "coordinator/store/sqlite_transaction.h"
#include "coordinator/store/wal_checkpointer.h"

#include <sqlite3.h>

namespace tributary::coordinator {

using engine::Status;

namespace {

bool isInMemory(const std::string &path)
{
    return path == ":memory:" || (path.starts_with("file:") && path.find("mode=memory") != std::string::npos);
}

} // namespace

Status SqliteStore::open(const std::string &path, std::unique_ptr<SqliteStore> *store)
{
    store->reset();
    const auto fail = [&path](const std::string &why) {
        return Status::error("cannot open database " + path + ": " + why);
    };
    if (path.empty())
        return fail("no path given");
    std::unique_ptr<SqliteConnection> writer;
    if (auto status = SqliteConnection::open(path, SqliteConnection::Role::Writer, &writer); !status)
        return fail(status.message());
    std::unique_ptr<SqliteStore> opened(new SqliteStore(path, std::move(writer)));
    if (auto status = opened->migrate(); !status)
        return fail(status.message());
    if (!opened->m_inMemory) {
        if (auto status = WalCheckpointer::start(path, &opened->m_checkpointer); !status)
            return fail(status.message());
        sqlite3_wal_hook(opened->m_writer->db(), &SqliteStore::walCommitted, opened.get());
    }
    *store = std::move(opened);
    return Status::ok();
}

SqliteStore::SqliteStore(std::string path, std::unique_ptr<SqliteConnection> writer)
    : m_path(std::move(path))
    , m_inMemory(isInMemory(m_path))
    , m_writer(std::move(writer))
{
}

SqliteStore::~SqliteStore()
{
    if (m_checkpointer)
        sqlite3_wal_hook(m_writer->db(), nullptr, nullptr);
}

int SqliteStore::walCommitted(void *store, sqlite3 *, const char *, int walPages)
{
    static_cast<SqliteStore *>(store)->m_checkpointer->committed(walPages);
    return 0; // SQLITE_OK
}

Status SqliteStore::migrate()
{
    std::lock_guard lock(m_writeMutex);
    if (auto status = m_writer->exec("BEGIN IMMEDIATE"); !status)
        return status;
    const auto finish = [this](Status status) {
        if (status) {
            status = m_writer->exec("COMMIT");
            if (status)
                return status;
        }
        m_writer->exec("ROLLBACK");
        return status;
    };

    auto &exists = m_writer->statement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    bool row = false;
    {
        SqliteStatement::Scope scope(exists);
        if (auto status = exists.step(&row); !status)
            return finish(status);
    }
    if (!row) {
        if (auto status = m_writer->exec(kSqliteSchemaV2); !status)
            return finish(status);
    }

    auto &version = m_writer->statement("SELECT MAX(version) FROM schema_version");
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
    if (found == 2) {
        if (auto status = m_writer->exec(kSqliteUpgradeToV3); !status)
            return finish(status);
        found = 3;
    }
    if (found == 3)
        return finish(m_writer->exec(kSqliteUpgradeToV4));
    return finish(Status::ok());
}

Status SqliteStore::write(const Work &work)
{
    QueuedWrite mine;
    mine.work = &work;
    std::unique_lock lock(m_queueMutex);
    m_queue.push_back(&mine);
    m_groupCommitted.wait(lock, [&] { return mine.done || !m_committing; });
    if (mine.done)
        return mine.status; // a writer before us committed it
    // Lead: take everything queued so far, ours included.
    m_committing = true;
    std::vector<QueuedWrite *> group;
    group.swap(m_queue);
    lock.unlock();
    commitGroup(group);
    lock.lock();
    for (QueuedWrite *write : group)
        write->done = true;
    m_committing = false;
    m_groupCommitted.notify_all();
    return mine.status;
}

void SqliteStore::commitGroup(const std::vector<QueuedWrite *> &group)
{
    std::lock_guard lock(m_writeMutex);
    SqliteTransaction &tx = m_writer->transaction();
    // IMMEDIATE takes the write lock up front, so that a read-then-write transaction
    // never fails half-way with SQLITE_BUSY.
    if (auto status = m_writer->run("BEGIN IMMEDIATE"); !status) {
        for (QueuedWrite *write : group)
            write->status = status;
        return;
    }
    // Alone, a write needs no savepoint: a failure rolls the whole transaction back.
    const bool alone = group.size() == 1;
    bool anyApplied = false;
    for (QueuedWrite *write : group) {
        if (!alone) {
            if (auto status = m_writer->run("SAVEPOINT write"); !status) {
                write->status = status;
                continue;
            }
        }
        tx.begin(false);
        Status status = (*write->work)(tx);
        if (status)
            status = tx.flush();
        if (!alone) {
            if (!status)
                m_writer->run("ROLLBACK TO write");
            m_writer->run("RELEASE write");
        }
        if (!status)
            tx.discard();
        anyApplied = anyApplied || status;
        write->status = std::move(status);
    }
    if (anyApplied) {
        if (auto status = m_writer->run("COMMIT"); status)
            return;
        else {
            // Nothing of the group is stored: every write that had succeeded fails now.
            for (QueuedWrite *write : group) {
                if (write->status)
                    write->status = status;
            }
        }
    }
    m_writer->run("ROLLBACK");
}

Status SqliteStore::read(const Work &work)
{
    const auto readOn = [&work](SqliteConnection &connection) {
        if (auto status = connection.run("BEGIN"); !status)
            return status;
        SqliteTransaction &tx = connection.transaction();
        tx.begin(true);
        Status status = work(tx);
        connection.run("COMMIT");
        return status;
    };
    if (m_inMemory) {
        std::lock_guard lock(m_writeMutex);
        return readOn(*m_writer);
    }
    Status opened;
    std::unique_ptr<SqliteConnection> reader = takeReader(&opened);
    if (!reader)
        return opened;
    Status status = readOn(*reader);
    giveBackReader(std::move(reader));
    return status;
}

std::unique_ptr<SqliteConnection> SqliteStore::takeReader(Status *status)
{
    {
        std::unique_lock lock(m_readersMutex);
        m_readerGivenBack.wait(lock, [this] { return !m_idleReaders.empty() || m_openReaders < kMaxReaders; });
        if (!m_idleReaders.empty()) {
            std::unique_ptr<SqliteConnection> reader = std::move(m_idleReaders.back());
            m_idleReaders.pop_back();
            return reader;
        }
        ++m_openReaders; // reserved while it opens, outside the lock
    }
    std::unique_ptr<SqliteConnection> reader;
    *status = SqliteConnection::open(m_path, SqliteConnection::Role::Reader, &reader);
    if (!reader) {
        *status = Status::error("cannot open a reader on " + m_path + ": " + status->message());
        std::lock_guard lock(m_readersMutex);
        --m_openReaders;
        m_readerGivenBack.notify_one();
    }
    return reader;
}

void SqliteStore::giveBackReader(std::unique_ptr<SqliteConnection> reader)
{
    std::lock_guard lock(m_readersMutex);
    m_idleReaders.push_back(std::move(reader));
    m_readerGivenBack.notify_one();
}

} // namespace tributary::coordinator
