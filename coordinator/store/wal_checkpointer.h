#pragma once

// WalCheckpointer: copies the write-ahead log back into the database file on a thread of
// its own ("store-checkpoint"), so that the writer never does it inside a commit.
//
// SQLite's default checkpoints run in whichever commit pushes the log past 1000 pages,
// holding up every write queued behind it. SqliteStore instead asks this thread, which
// runs a PASSIVE checkpoint on its own connection: it copies what no reader still needs
// and never blocks the writer.

#include "engine/status.h"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace tributary::coordinator {

class SqliteConnection;

class WalCheckpointer {
public:
    // Log size, in pages, past which a commit asks for a checkpoint (SQLite's default).
    static constexpr int kCheckpointPages = 1000;

    // Opens a connection to path and starts the thread.
    static engine::Status start(const std::string &path, std::unique_ptr<WalCheckpointer> *checkpointer);
    ~WalCheckpointer(); // stops the thread; a checkpoint under way finishes first

    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // Called after a commit with the log's size in pages: wakes the thread when it is
    // over kCheckpointPages. Cheap; never waits for a checkpoint.
    void committed(int walPages);

private:
    explicit WalCheckpointer(std::unique_ptr<SqliteConnection> connection);
    void run();

    std::unique_ptr<SqliteConnection> m_connection;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_requested = false;
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace tributary::coordinator
