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
// One connection writes, and writes commit in groups: the first writer to find the
// connection free runs every write queued behind it in one SQLite transaction, each
// inside its own SAVEPOINT (a failing one is rolled back alone), and commits once for all
// of them; each write() still returns only after its changes are committed. Writes run
// one at a time, so every write is serializable. Reads run on a small pool of other connections, each on a
// WAL snapshot, so that a watcher's status query or a node's lookup never holds up the
// writer (an in-memory database has one connection, shared). Statements are prepared
// once per connection and reused.

#include "coordinator/store/store.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace tributary::coordinator {

class SqliteConnection;
class WalCheckpointer;

class SqliteStore final : public Store {
public:
    // Opens or creates the database at path (":memory:" for a private in-memory one).
    static engine::Status open(const std::string &path, std::unique_ptr<SqliteStore> *store);

    ~SqliteStore() override;

    engine::Status write(const Work &work) override;
    engine::Status read(const Work &work) override;

private:
    SqliteStore(std::string path, std::unique_ptr<SqliteConnection> writer);

    struct QueuedWrite {
        const Work *work = nullptr;
        engine::Status status;
        bool done = false;
    };

    engine::Status migrate();
    // Runs the queued writes in one transaction and sets each one's status.
    void commitGroup(const std::vector<QueuedWrite *> &group);
    // A reader for this thread: an idle one, a new one while fewer than kMaxReaders are
    // open, else the next one given back. Empty with *status set when opening failed.
    std::unique_ptr<SqliteConnection> takeReader(engine::Status *status);
    void giveBackReader(std::unique_ptr<SqliteConnection> reader);

    static constexpr std::size_t kMaxReaders = 4;

    // SQLite's hook after each commit of the writer: hands the log size to m_checkpointer.
    static int walCommitted(void *store, sqlite3 *db, const char *database, int walPages);

    const std::string m_path;
    const bool m_inMemory; // readers would see other databases: read on the writer
    std::mutex m_writeMutex; // held while the writer connection is in use
    std::unique_ptr<SqliteConnection> m_writer;
    std::unique_ptr<WalCheckpointer> m_checkpointer; // none for an in-memory database

    std::mutex m_queueMutex;
    std::condition_variable m_groupCommitted;
    std::vector<QueuedWrite *> m_queue;
    bool m_committing = false; // a writer is running a group

    std::mutex m_readersMutex;
    std::condition_variable m_readerGivenBack;
    std::vector<std::unique_ptr<SqliteConnection>> m_idleReaders;
    std::size_t m_openReaders = 0;
};

} // namespace tributary::coordinator
