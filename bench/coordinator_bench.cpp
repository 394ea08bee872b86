#include "bench/coordinator_bench.h"

#include "bench/json_line.h"
#include "bench/subcommand.h"
#include "coordinator/coordinator.h"
#include "coordinator/server_allocator.h"
#include "coordinator/store/sqlite_store.h"
#include "engine/sha256.h"

#include "tributary/v1/blob.grpc.pb.h"
#include "tributary/v1/job.grpc.pb.h"
#include "tributary/v1/node.grpc.pb.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <unistd.h>
#include <vector>

namespace tributary::bench {

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    int nodes = 8;
    int tasks = 20000;
    int batch = 128;
    std::string policy = "replicate";
    bool json = false;
};

constexpr int kTile = 8; // each task: an 8×8 tile of C with k = 8

void printUsage(std::FILE *out)
{
    std::fprintf(out,
        "usage: tributary-bench coordinator [--nodes N] [--tasks M] [--batch B]\n"
        "                                   [--policy replicate|spot|reference] [--json]\n"
        "\n"
        "Runs a coordinator on loopback with N simulated nodes (default 8), each on its own\n"
        "gRPC connection, and one job of M tiny tasks (default 20000; an %dx%d tile with\n"
        "k = %d each), leased and submitted B at a time (default 128). Verification:\n"
        "replicate(2) (default), spot_check(0.1) or reference. Prints tasks per second end\n"
        "to end (lease, submit, verify, credit, all committed to SQLite) and the p50/p99\n"
        "latency from a task's first lease to its acceptance.\n",
        kTile, kTile, kTile);
}

bool parseInt(const std::string &text, int low, int high, int *value)
{
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
    return error == std::errc() && end == text.data() + text.size() && *value >= low && *value <= high;
}

void addToken(grpc::ClientContext &context, const std::string &token)
{
    context.AddMetadata("authorization", "Bearer " + token);
}

std::shared_ptr<grpc::Channel> ownChannel(const std::string &address, int index)
{
    grpc::ChannelArguments arguments;
    arguments.SetMaxReceiveMessageSize(64 << 20);
    // A connection of its own per simulated node, as separate machines would have.
    arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    arguments.SetString("tributary.bench.node", std::to_string(index));
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments);
}

bool fetchBlob(v1::BlobService::Stub &blobs, const std::string &token, const std::string &sha256, std::string *data)
{
    grpc::ClientContext context;
    addToken(context, token);
    v1::FetchBlobRequest request;
    request.set_sha256(sha256);
    auto reader = blobs.FetchBlob(&context, request);
    v1::BlobChunk chunk;
    while (reader->Read(&chunk))
        data->append(chunk.data());
    return reader->Finish().ok();
}

// One simulated node: registers, fetches the inputs once, then leases, computes and
// submits until the job is done.
struct NodeStats {
    std::uint64_t results = 0;
    std::string error;
};

void runNode(const std::string &address, const std::string &token, int index, std::atomic<bool> &jobDone, int batch,
    NodeStats *stats)
{
    const auto channel = ownChannel(address, index);
    auto nodes = v1::NodeService::NewStub(channel);
    auto blobs = v1::BlobService::NewStub(channel);

    v1::RegisterRequest registration;
    registration.set_node_name("bench-node-" + std::to_string(index));
    v1::Device *device = registration.add_devices();
    device->set_id("cpu:0");
    device->set_backend(v1::BACKEND_KIND_CPU);
    device->set_available(true);
    device->set_reproducibility(v1::REPRODUCIBILITY_EXACT);
    device->set_memory_bytes(std::uint64_t(8) << 30);
    v1::RegisterResponse registered;
    {
        grpc::ClientContext context;
        addToken(context, token);
        // The first call opens the connection: ride out a refused first attempt (seen
        // now and then on a busy machine) rather than failing the run.
        context.set_wait_for_ready(true);
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        if (auto status = nodes->Register(&context, registration, &registered); !status.ok()) {
            stats->error = "register: " + status.error_message();
            return;
        }
    }

    std::string a, b;
    std::string aSha, bSha;
    std::vector<float> aValues, bValues;
    while (!jobDone.load()) {
        v1::LeaseTasksRequest lease;
        lease.set_node_id(registered.node_id());
        lease.set_device_id("cpu:0");
        lease.set_max_tasks(static_cast<std::uint32_t>(batch));
        v1::LeaseTasksResponse leased;
        grpc::ClientContext leaseContext;
        addToken(leaseContext, token);
        if (auto status = nodes->LeaseTasks(&leaseContext, lease, &leased); !status.ok()) {
            stats->error = "lease: " + status.error_message();
            return;
        }
        if (leased.tasks().empty()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            continue;
        }
        v1::SubmitResultsRequest submit;
        submit.set_node_id(registered.node_id());
        for (const v1::Task &task : leased.tasks()) {
            const v1::GemmTileTask &tile = task.gemm_tile();
            if (aSha != tile.a_sha256()) {
                a.clear();
                if (!fetchBlob(*blobs, token, tile.a_sha256(), &a)) {
                    stats->error = "fetching A";
                    return;
                }
                aSha = tile.a_sha256();
                aValues.resize(a.size() / 4);
                std::memcpy(aValues.data(), a.data(), a.size());
            }
            if (bSha != tile.b_sha256()) {
                b.clear();
                if (!fetchBlob(*blobs, token, tile.b_sha256(), &b)) {
                    stats->error = "fetching B";
                    return;
                }
                bSha = tile.b_sha256();
                bValues.resize(b.size() / 4);
                std::memcpy(bValues.data(), b.data(), b.size());
            }
            // The exact-mode chain: acc = fma(A[i][p], B[p][j], acc) in p order.
            float c[kTile * kTile] = {};
            for (std::uint32_t i = 0; i < tile.rows(); ++i) {
                for (std::uint32_t j = 0; j < tile.cols(); ++j) {
                    float acc = 0.0f;
                    for (std::uint32_t p = 0; p < tile.k(); ++p)
                        acc = std::fma(aValues[(tile.row0() + i) * tile.k() + p],
                            bValues[std::size_t(p) * tile.n() + tile.col0() + j], acc);
                    c[i * tile.cols() + j] = acc;
                }
            }
            const std::size_t bytes = std::size_t(tile.rows()) * tile.cols() * sizeof(float);
            v1::TaskResult *result = submit.add_results();
            result->set_task_id(task.task_id());
            result->set_attempt(task.attempt());
            result->set_device_id("cpu:0");
            result->set_output(reinterpret_cast<const char *>(c), bytes);
            result->set_output_sha256(engine::sha256Hex(std::as_bytes(std::span(c, bytes / sizeof(float)))));
        }
        v1::SubmitResultsResponse outcomes;
        grpc::ClientContext submitContext;
        addToken(submitContext, token);
        if (auto status = nodes->SubmitResults(&submitContext, submit, &outcomes); !status.ok()) {
            stats->error = "submit: " + status.error_message();
            return;
        }
        stats->results += std::uint64_t(outcomes.outcomes_size());
    }
}

double percentile(std::vector<std::int64_t> values, double fraction)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const std::size_t index = std::min(values.size() - 1, std::size_t(std::ceil(fraction * double(values.size()))) - 1);
    return double(values[index]);
}

} // namespace

int runCoordinatorBench(std::span<const std::string> args)
{
    Options options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        const bool hasValue = i + 1 < args.size();
        if (arg == "--help" || arg == "-h") {
            printUsage(stdout);
            return kExitOk;
        } else if (arg == "--json") {
            options.json = true;
        } else if (arg == "--nodes" && hasValue && parseInt(args[i + 1], 1, 256, &options.nodes)) {
            ++i;
        } else if (arg == "--tasks" && hasValue && parseInt(args[i + 1], 1, 65536, &options.tasks)) {
            ++i;
        } else if (arg == "--batch" && hasValue && parseInt(args[i + 1], 1, 256, &options.batch)) {
            ++i;
        } else if (arg == "--policy" && hasValue
            && (args[i + 1] == "replicate" || args[i + 1] == "spot" || args[i + 1] == "reference")) {
            options.policy = args[++i];
        } else {
            std::fprintf(stderr, "tributary-bench coordinator: bad option \"%s\" (or its value)\n\n", arg.c_str());
            printUsage(stderr);
            return kExitUsage;
        }
    }
    // As tributary-coordinator does: this process is the server under load.
    coordinator::tuneAllocatorForServing();
    if (options.policy == "replicate" && options.nodes < 2) {
        std::fprintf(stderr, "tributary-bench coordinator: replicate(2) needs at least 2 nodes\n");
        return kExitUsage;
    }

    // The task grid: close to square, at least the tasks asked for.
    const int columns = int(std::ceil(std::sqrt(double(options.tasks))));
    const int rows = (options.tasks + columns - 1) / columns;
    const int tasks = rows * columns;

    const auto folder = std::filesystem::temp_directory_path()
        / ("tributary-bench-coordinator-" + std::to_string(::getpid()));
    std::filesystem::create_directories(folder);
    const std::string database = (folder / "coordinator.db").string();

    coordinator::CoordinatorOptions coordinatorOptions;
    coordinatorOptions.listenAddress = "127.0.0.1:0";
    coordinatorOptions.databasePath = database;
    coordinatorOptions.leaseDuration = std::chrono::seconds(60);
    coordinatorOptions.initialGrantUnits = std::int64_t(1) << 60;
    coordinatorOptions.log = [](engine::LogLevel level, std::string_view message) {
        if (level >= engine::LogLevel::Warning)
            std::fprintf(stderr, "coordinator: %.*s\n", int(message.size()), message.data());
    };
    auto coordinator = std::make_unique<coordinator::Coordinator>(coordinatorOptions);
    if (auto status = coordinator->start(); !status) {
        std::fprintf(stderr, "tributary-bench coordinator: %s\n", status.message().c_str());
        return kExitFailure;
    }
    std::string researcherId, researcherToken, contributorId, contributorToken;
    if (auto status = coordinator->createAccount("bench-researcher", false, &researcherId, &researcherToken); !status) {
        std::fprintf(stderr, "tributary-bench coordinator: %s\n", status.message().c_str());
        return kExitFailure;
    }
    if (auto status = coordinator->createAccount("bench-contributor", false, &contributorId, &contributorToken);
        !status) {
        std::fprintf(stderr, "tributary-bench coordinator: %s\n", status.message().c_str());
        return kExitFailure;
    }
    const std::string address = coordinator->address();

    auto jobs = v1::JobService::NewStub(ownChannel(address, -1));
    v1::SubmitJobRequest request;
    v1::JobSpec *spec = request.mutable_spec();
    spec->set_name("coordinator benchmark");
    v1::GemmJobSpec *gemm = spec->mutable_gemm();
    gemm->set_m(std::uint32_t(rows * kTile));
    gemm->set_n(std::uint32_t(columns * kTile));
    gemm->set_k(kTile);
    gemm->set_tile_m(kTile);
    gemm->set_tile_n(kTile);
    gemm->set_seed(42);
    if (options.policy == "replicate")
        spec->mutable_verification()->mutable_replicate()->set_k(2);
    else if (options.policy == "spot")
        spec->mutable_verification()->mutable_spot_check()->set_p(0.1);
    else
        spec->mutable_verification()->mutable_reference();

    const auto started = Clock::now();
    v1::SubmitJobResponse submitted;
    {
        grpc::ClientContext context;
        addToken(context, researcherToken);
        if (auto status = jobs->SubmitJob(&context, request, &submitted); !status.ok()) {
            std::fprintf(stderr, "tributary-bench coordinator: submit: %s\n", status.error_message().c_str());
            return kExitFailure;
        }
    }

    std::atomic<bool> jobDone { false };
    std::vector<NodeStats> stats(std::size_t(options.nodes));
    std::vector<std::thread> threads;
    for (int i = 0; i < options.nodes; ++i)
        threads.emplace_back(
            runNode, address, contributorToken, i, std::ref(jobDone), options.batch, &stats[std::size_t(i)]);

    v1::JobStatus final;
    {
        grpc::ClientContext context;
        addToken(context, researcherToken);
        v1::GetJobRequest watch;
        watch.set_job_id(submitted.job_id());
        auto reader = jobs->WatchJob(&context, watch);
        while (reader->Read(&final)) {
        }
        reader->Finish();
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    jobDone = true;
    for (std::thread &thread : threads)
        thread.join();
    std::uint64_t results = 0;
    for (const NodeStats &node : stats) {
        results += node.results;
        if (!node.error.empty())
            std::fprintf(stderr, "tributary-bench coordinator: a node stopped: %s\n", node.error.c_str());
    }
    coordinator->shutdown();
    coordinator.reset();
    if (final.state() != v1::JOB_STATE_COMPLETED) {
        std::fprintf(stderr, "tributary-bench coordinator: the job ended %s: %s\n",
            v1::JobState_Name(final.state()).c_str(), final.message().c_str());
        return kExitFailure;
    }

    // Latency from the stored record: a task's first lease to its acceptance.
    std::vector<std::int64_t> latencies;
    {
        std::unique_ptr<coordinator::SqliteStore> store;
        if (auto status = coordinator::SqliteStore::open(database, &store); !status) {
            std::fprintf(stderr, "tributary-bench coordinator: %s\n", status.message().c_str());
            return kExitFailure;
        }
        auto status = store->read([&](coordinator::StoreTransaction &tx) -> engine::Status {
            std::vector<coordinator::TaskRecord> records;
            if (auto read = tx.jobTasks(submitted.job_id(), &records); !read)
                return read;
            for (const coordinator::TaskRecord &task : records) {
                std::vector<coordinator::AttemptRecord> attempts;
                if (auto read = tx.taskAttempts(task.id, &attempts); !read)
                    return read;
                std::int64_t firstLease = task.completedMs;
                for (const coordinator::AttemptRecord &attempt : attempts)
                    firstLease = std::min(firstLease, attempt.leasedMs);
                latencies.push_back(task.completedMs - firstLease);
            }
            return engine::Status::ok();
        });
        if (!status) {
            std::fprintf(stderr, "tributary-bench coordinator: %s\n", status.message().c_str());
            return kExitFailure;
        }
    }
    std::filesystem::remove_all(folder);

    const double tasksPerSecond = double(tasks) / seconds;
    const double p50 = percentile(latencies, 0.50), p99 = percentile(latencies, 0.99);
    const std::string policy = options.policy == "replicate" ? "replicate(2)"
        : options.policy == "spot"                           ? "spot_check(0.1)"
                                                             : "reference";
    if (options.json) {
        JsonLine line;
        line.add("bench", "coordinator")
            .add("nodes", options.nodes)
            .add("tasks", tasks)
            .add("batch", options.batch)
            .add("verification", policy)
            .add("results", double(results))
            .add("seconds", seconds)
            .add("tasks_per_s", tasksPerSecond)
            .add("results_per_s", double(results) / seconds)
            .add("p50_ms", p50)
            .add("p99_ms", p99);
        std::puts(line.text().c_str());
    } else {
        std::printf("coordinator: %d nodes, %d tasks (%dx%d tiles, k=%d), %s, batches of %d\n", options.nodes, tasks,
            kTile, kTile, kTile, policy.c_str(), options.batch);
        std::printf("  %.2f s end to end: %.0f tasks/s (%.0f results/s)\n", seconds, tasksPerSecond,
            double(results) / seconds);
        std::printf("  latency first lease -> accepted: p50 %.0f ms, p99 %.0f ms\n", p50, p99);
    }
    return kExitOk;
}

} // namespace tributary::bench
