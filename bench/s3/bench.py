"""PUT and GET of 1 MB and 64 MB objects against sluice and s3rver in the same run, plus
this machine's dd conv=fdatasync figure on the same file system. Prints a Markdown
table. Loopback only; every loop is bounded in count."""
import http.client
import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SLUICE = os.environ.get("SLUICE_BIN", os.path.join(REPO, "build", "sluice"))
S3RVER = os.path.join(REPO, "tests", "node", "node_modules", "s3rver", "bin", "s3rver.js")
CASES = [("1 MB", 1 << 20, 200), ("64 MB", 64 << 20, 6)]  # (name, size, requests per connection)
# One connection (latency-bound, like a single-threaded writer) and several (like the
# AWS CLI's concurrent transfers, ten by default).
CONNECTIONS = [int(c) for c in os.environ.get("S3_BENCH_CONNECTIONS", "1,4").split(",")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server on %d did not start" % port)


def request(conn, method, path, body=None, into=None):
    # s3rver runs with --allow-mismatched-signatures: it needs a well-formed SigV4 header,
    # not a valid one, so neither server pays for signing in this measurement.
    headers = {"Authorization": "AWS4-HMAC-SHA256 Credential=S3RVER/%s/us-east-1/s3/aws4_request, "
                                "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=%s"
                                % (time.strftime("%Y%m%d", time.gmtime()), "0" * 64),
               "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
               "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
    conn.request(method, path, body=body, headers=headers)
    r = conn.getresponse()
    if into is not None and r.status < 300:
        # GETs read into one reused buffer: allocating and faulting in a fresh 64 MB
        # bytes object per response made the client, not the server, the bottleneck.
        view, n = memoryview(into), 0
        while True:
            got = r.readinto(view[n:])
            if not got:
                break
            n += got
        return n
    data = r.read()
    if r.status >= 300:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return data


def worker(port, bucket, method, size, names, barrier, out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = os.urandom(size) if method == "PUT" else None
    buf = bytearray(size)
    barrier.wait()
    t = time.perf_counter()
    for name in names:
        path = "/%s/%s" % (bucket, name)
        if method == "PUT":
            request(conn, "PUT", path, body)
        else:
            assert request(conn, "GET", path, into=buf) == size
    out.put((t, time.perf_counter()))


def phase(port, bucket, method, size, names, conns):
    """MB/s of `method` over `names`, split across `conns` client processes (each with
    its own connection, so the Python client is not one GIL-bound thread). The clock
    runs from the first worker's start to the last worker's end."""
    barrier, out = mp.Barrier(conns), mp.Queue()
    procs = [mp.Process(target=worker, args=(port, bucket, method, size, names[i::conns], barrier, out))
             for i in range(conns)]
    for p in procs:
        p.start()
    spans = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError("%s worker failed against port %d" % (method, port))
    return len(names) * size / (max(e for _, e in spans) - min(s for s, _ in spans)) / 1e6


def measure(port, bucket, conns):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    request(conn, "PUT", "/" + bucket)
    rows = []
    for name, size, count in CASES:
        names = ["obj-%d" % i for i in range(count * conns)]
        put = phase(port, bucket, "PUT", size, names, conns)
        get = phase(port, bucket, "GET", size, names, conns)
        rows.append((name, len(names), put, get))
    return rows


def null_server(port_q, path):
    """The least work any server can do for a GET on this machine: one sendfile of a
    cached file per request, no parsing beyond the blank line. It bounds what the same
    client can receive over loopback, so the GET ratios can be read against it."""
    import threading
    size = os.path.getsize(path)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    port_q.put(ls.getsockname()[1])

    def serve(conn):
        with conn, open(path, "rb") as f:
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    got = conn.recv(65536)
                    if not got:
                        return
                    pending += got
                pending = pending.split(b"\r\n\r\n", 1)[1]
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size)
                conn.sendfile(f, 0, size)

    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def ceiling(work, conns):
    """GET MB/s of the null server per object size, with the benchmark's client."""
    out = []
    for name, size, count in CASES:
        path = os.path.join(work, "null-%d" % size)
        with open(path, "wb") as f:
            f.write(os.urandom(size))
        q = mp.Queue()
        p = mp.Process(target=null_server, args=(q, path), daemon=True)
        p.start()
        port = q.get(timeout=30)
        out.append(phase(port, "any", "GET", size, ["obj-%d" % i for i in range(count * conns)], conns))
        p.terminate()
        p.join()
        os.unlink(path)
    return out


def dd_figure(directory):
    out = subprocess.run(["dd", "if=/dev/zero", "of=" + os.path.join(directory, "dd.bin"), "bs=1M",
                          "count=2048", "conv=fdatasync"], capture_output=True, text=True)
    os.unlink(os.path.join(directory, "dd.bin"))
    line = out.stderr.strip().splitlines()[-1]
    return line


def main():
    work = tempfile.mkdtemp(prefix="sluice-bench-s3-")
    procs = []
    try:
        sp = free_port()
        procs.append(subprocess.Popen([SLUICE, "serve", "--data-dir", os.path.join(work, "sluice"),
                                       "--port", str(sp)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        rp = free_port()
        os.makedirs(os.path.join(work, "s3rver"))
        procs.append(subprocess.Popen(["node", S3RVER, "-d", os.path.join(work, "s3rver"), "-a", "127.0.0.1",
                                       "-p", str(rp), "--silent", "--allow-mismatched-signatures"], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        wait_port(sp)
        wait_port(rp)
        print("| connections | object | requests | sluice PUT MB/s | s3rver PUT MB/s | sluice GET MB/s | s3rver GET MB/s | "
              "null-server GET MB/s | PUT ratio | GET ratio |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for conns in CONNECTIONS:
            sluice = measure(sp, "bench%d" % conns, conns)
            s3rver = measure(rp, "bench%d" % conns, conns)
            null = ceiling(work, conns)
            for a, b, n in zip(sluice, s3rver, null):
                print("| %d | %s | %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f× | %.1f× |" % (
                    conns, a[0], a[1], a[2], b[2], a[3], b[3], n, a[2] / b[2], a[3] / b[3]), flush=True)
        dd = dd_figure(work)
        print()
        print("dd (same file system, same run): `%s`" % dd)
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
