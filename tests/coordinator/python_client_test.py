#!/usr/bin/python3
"""A Tributary client written against another gRPC implementation: Debian's python3-grpcio.

    python_client_test.py TRIBUTARY_COORDINATOR PROTOC PROTO_DIR

Starts the coordinator binary on 127.0.0.1:0 with a temporary database, reads the port from
its one stdout line and the administrator's token from <db>.admin-token, then, speaking
only gRPC, creates a researcher and a contributor account, submits a small GEMM job,
registers a node with one CPU device, leases the task, fetches A and B with FetchBlob,
computes the tile, submits it and checks the job, its result and the ledger.

Design, and why it is honest:
- Stubs: python3-grpc-tools is not needed. The message classes come from `protoc
  --python_out` (protoc is the one the build uses), and each call is made with
  grpc.Channel.unary_unary / unary_stream and the classes' SerializeToString / FromString,
  so this needs only python3-grpcio and python3-protobuf.
- Verification: the job uses verification `reference`: the coordinator recomputes the tile
  on its CPU backend and compares bit for bit, so the Python result must be exactly the
  engine's exact-mode chain acc = fmaf(A[i][p], B[p][j], acc) for p in order, in fp32.
  Python 3.11 has no math.fma and doubles would round twice, so each step is computed
  exactly with fractions.Fraction and rounded once to the nearest fp32 (ties to even,
  subnormals included). That makes the result bit-exact by construction, and the test
  fails if the Python arithmetic or the wire format disagrees with the coordinator.
- It also checks status codes another implementation sees: UNAUTHENTICATED without a
  token, OUTCOME_ACCEPTED then OUTCOME_DUPLICATE for a resend.
Exits 0 when everything holds; prints what failed and exits 1 otherwise.
"""

import fractions
import hashlib
import importlib
import math
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile

try:
    import grpc
except ImportError:
    sys.exit("python_client_test: the grpc module is missing: install python3-grpcio")
try:
    import google.protobuf  # noqa: F401
except ImportError:
    sys.exit("python_client_test: the google.protobuf module is missing: install python3-protobuf")

Fraction = fractions.Fraction


def check(condition, what):
    if not condition:
        raise AssertionError(what)


# --- fp32 arithmetic, exactly

def to_f32(value):
    """The nearest fp32 to an exact rational (ties to even), as a Python float."""
    if value == 0:
        return 0.0
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    exponent = magnitude.numerator.bit_length() - magnitude.denominator.bit_length()
    while Fraction(2) ** exponent > magnitude:
        exponent -= 1
    while Fraction(2) ** (exponent + 1) <= magnitude:
        exponent += 1
    quantum = max(exponent, -126) - 23  # 24 significant bits; fixed quantum below normals
    steps = round(magnitude / Fraction(2) ** quantum)  # Fraction rounds half to even
    result = sign * math.ldexp(steps, quantum)
    check(abs(result) <= 3.4028234663852886e38, "fp32 overflow")
    return result


def fmaf(a, b, acc):
    return to_f32(Fraction(a) * Fraction(b) + Fraction(acc))


def floats_of(data):
    return list(struct.unpack("<%df" % (len(data) // 4), data))


def bytes_of(values):
    return struct.pack("<%df" % len(values), *values)


def self_test():
    # (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: exactly halfway between two fp32 neighbours.
    check(fmaf(1.0 + 2.0 ** -12, 1.0 + 2.0 ** -12, 0.0) == 1.0 + 2.0 ** -11, "fmaf: halfway rounds to even")
    check(fmaf(1.0 + 2.0 ** -12, 1.0 + 2.0 ** -12, 2.0 ** -40) == 1.0 + 2.0 ** -11 + 2.0 ** -23,
          "fmaf: above halfway rounds up")
    # Fused: (1 - 2^-24)(1 + 2^-23) - 1 = 2^-24 - 2^-47 exactly, where a rounded product gives 0.
    check(fmaf(1.0 - 2.0 ** -24, 1.0 + 2.0 ** -23, -1.0) == 2.0 ** -24 - 2.0 ** -47, "fmaf: one rounding")
    check(to_f32(Fraction(1, 3)) == struct.unpack("<f", struct.pack("<f", 1.0 / 3.0))[0], "to_f32(1/3)")
    check(to_f32(Fraction(2) ** -149) == 2.0 ** -149, "to_f32: smallest subnormal")


# --- gRPC without generated stubs

class Rpc:
    def __init__(self, channel, modules, token):
        self.channel = channel
        self.m = modules
        self.token = token

    def _metadata(self):
        return (("authorization", "Bearer " + self.token),) if self.token else ()

    def unary(self, service, method, request, response_class):
        call = self.channel.unary_unary(
            "/tributary.v1.%s/%s" % (service, method),
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response_class.FromString)
        return call(request, metadata=self._metadata(), timeout=30)

    def stream(self, service, method, request, response_class):
        call = self.channel.unary_stream(
            "/tributary.v1.%s/%s" % (service, method),
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response_class.FromString)
        return list(call(request, metadata=self._metadata(), timeout=30))

    def fetch_blob(self, sha256, offset=0):
        blob = self.m["blob"]
        chunks = self.stream("BlobService", "FetchBlob", blob.FetchBlobRequest(sha256=sha256, offset=offset),
                             blob.BlobChunk)
        data = b""
        for chunk in chunks:
            check(chunk.offset == offset + len(data), "FetchBlob: chunk at %d, expected %d"
                  % (chunk.offset, offset + len(data)))
            data += chunk.data
        return data


def generate_modules(protoc, proto_dir, out_dir):
    protos = sorted(os.path.join(proto_dir, "tributary", "v1", name)
                    for name in os.listdir(os.path.join(proto_dir, "tributary", "v1")) if name.endswith(".proto"))
    os.makedirs(out_dir, exist_ok=True)
    subprocess.run([protoc, "-I", proto_dir, "--python_out=" + out_dir] + protos, check=True)
    sys.path.insert(0, out_dir)
    return {name: importlib.import_module("tributary.v1.%s_pb2" % name)
            for name in ("common", "account", "ledger", "blob", "node", "job")}


def start_coordinator(binary, work_dir):
    db = os.path.join(work_dir, "c.db")
    process = subprocess.Popen([binary, "--listen", "127.0.0.1:0", "--db", db, "--lease-ms", "60000"],
                               stdout=subprocess.PIPE, stderr=sys.stderr, text=True)
    line = process.stdout.readline().strip()
    match = re.fullmatch(r"tributary-coordinator: listening on (127\.0\.0\.1:\d+)", line)
    if not match:
        process.kill()
        raise AssertionError("no listening line from the coordinator, got %r" % line)
    with open(db + ".admin-token") as file:
        token = file.read().strip()
    check(re.fullmatch(r"trb_[0-9a-f]{64}", token), "admin token format")
    return process, match.group(1), token


def run(address, admin_token, m):
    common, account, ledger, blob, node, job = (m[n] for n in ("common", "account", "ledger", "blob", "node", "job"))
    channel = grpc.insecure_channel(address)
    grpc.channel_ready_future(channel).result(timeout=20)
    admin = Rpc(channel, m, admin_token)

    # No token: UNAUTHENTICATED, as for any other client.
    try:
        Rpc(channel, m, "").unary("AccountService", "WhoAmI", account.WhoAmIRequest(), account.Account)
        raise AssertionError("WhoAmI without a token succeeded")
    except grpc.RpcError as error:
        check(error.code() == grpc.StatusCode.UNAUTHENTICATED, "WhoAmI without a token: %s" % error.code())
    me = admin.unary("AccountService", "WhoAmI", account.WhoAmIRequest(), account.Account)
    check(me.is_admin, "the token file's account is an administrator")

    def new_account(name):
        created = admin.unary("AccountService", "CreateAccount", account.CreateAccountRequest(name=name),
                              account.CreateAccountResponse)
        return Rpc(channel, m, created.token), created.account.account_id

    researcher, _ = new_account("python researcher")
    contributor, _ = new_account("python contributor")

    spec = job.JobSpec(name="python gemm", mode=common.EXECUTION_MODE_EXACT,
                       gemm=job.GemmJobSpec(m=8, n=8, k=8, tile_m=8, tile_n=8, seed=2024))
    spec.verification.reference.SetInParent()
    submitted = researcher.unary("JobService", "SubmitJob", job.SubmitJobRequest(spec=spec), job.SubmitJobResponse)
    check(submitted.task_count == 1, "one task, got %d" % submitted.task_count)
    before = researcher.unary("LedgerService", "GetBalance", ledger.GetBalanceRequest(), ledger.Balance)
    check(before.held_units > 0, "the job's cost is held")

    device = common.Device(id="cpu:0", backend=common.BACKEND_KIND_CPU, name="python fp32", available=True,
                           reproducibility=common.REPRODUCIBILITY_EXACT)
    registered = contributor.unary("NodeService", "Register",
                                   node.RegisterRequest(node_name="python node", client_version="python-test",
                                                        devices=[device]), node.RegisterResponse)
    node_id = registered.node_id
    check(node_id, "a node id")

    leased = contributor.unary("NodeService", "LeaseTasks",
                               node.LeaseTasksRequest(node_id=node_id, device_id="cpu:0", max_tasks=4),
                               node.LeaseTasksResponse)
    check(len(leased.tasks) == 1, "leased %d tasks" % len(leased.tasks))
    task = leased.tasks[0]
    check(task.job_id == submitted.job_id and task.attempt == 1, "the job's task at attempt 1")
    tile = task.gemm_tile
    a_bytes = contributor.fetch_blob(tile.a_sha256)
    b_bytes = contributor.fetch_blob(tile.b_sha256)
    check(len(a_bytes) == tile.a_size == 4 * tile.m * tile.k, "A's size")
    check(len(b_bytes) == tile.b_size == 4 * tile.k * tile.n, "B's size")
    check(contributor.fetch_blob(tile.a_sha256, 100) == a_bytes[100:], "FetchBlob from an offset")
    a, b = floats_of(a_bytes), floats_of(b_bytes)

    output = []
    for i in range(tile.row0, tile.row0 + tile.rows):
        for j in range(tile.col0, tile.col0 + tile.cols):
            acc = 0.0
            for p in range(tile.k):
                acc = fmaf(a[i * tile.k + p], b[p * tile.n + j], acc)
            output.append(acc)
    output_bytes = bytes_of(output)

    result = node.TaskResult(task_id=task.task_id, attempt=task.attempt, device_id="cpu:0", compute_ms=1,
                             output=output_bytes, output_sha256=hashlib.sha256(output_bytes).hexdigest())
    request = node.SubmitResultsRequest(node_id=node_id, results=[result])
    outcome = contributor.unary("NodeService", "SubmitResults", request, node.SubmitResultsResponse).outcomes[0]
    check(outcome.outcome == node.SubmitOutcome.OUTCOME_ACCEPTED,
          "the reference accepted the Python tile: outcome %d, %s" % (outcome.outcome, outcome.message))
    again = contributor.unary("NodeService", "SubmitResults", request, node.SubmitResultsResponse).outcomes[0]
    check(again.outcome == node.SubmitOutcome.OUTCOME_DUPLICATE, "a resend is DUPLICATE, got %d" % again.outcome)

    status = researcher.unary("JobService", "GetJob", job.GetJobRequest(job_id=submitted.job_id), job.JobStatus)
    check(status.state == common.JOB_STATE_COMPLETED, "job state %d" % status.state)
    final = researcher.unary("JobService", "GetJobResult", job.GetJobRequest(job_id=submitted.job_id), job.JobResult)
    check(final.rows == 8 and final.cols == 8 and final.verified, "result shape and verified flag")
    check(final.data == output_bytes, "the assembled result is the Python tile")

    paid = (task.flops + 999) // 1000
    earned = contributor.unary("LedgerService", "GetBalance", ledger.GetBalanceRequest(), ledger.Balance)
    check(earned.earned_units == paid, "contributor earned %d, expected %d" % (earned.earned_units, paid))
    after = researcher.unary("LedgerService", "GetBalance", ledger.GetBalanceRequest(), ledger.Balance)
    check(after.held_units == 0, "nothing held after completion")
    check(after.available_units == before.available_units + before.held_units - paid, "researcher paid the task")
    channel.close()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    binary, protoc, proto_dir = sys.argv[1:]
    self_test()
    with tempfile.TemporaryDirectory() as work_dir:
        modules = generate_modules(protoc, proto_dir, os.path.join(work_dir, "py"))
        os.makedirs(os.path.join(work_dir, "run"))
        process, address, token = start_coordinator(binary, os.path.join(work_dir, "run"))
        try:
            run(address, token, modules)
        except AssertionError as error:
            print("python_client_test: FAILED: %s" % error, file=sys.stderr)
            return 1
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                code = None
        if code != 0:
            print("python_client_test: FAILED: the coordinator exited with %s after SIGTERM" % code, file=sys.stderr)
            return 1
    print("python_client_test: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
