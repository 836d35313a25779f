"""The catalog at Consul's scale (issue 25), driven by bench/run-scale: see that script's header.

Every load comes from a C generator (wrk with bench/wrk/roster-register.lua for registrations and
reads, h2load for parked blocking queries over h2c); this file only starts the agent, sequences the
parts, reads /proc, jcmd and the agent's own gauges, and prints the figures. Every wait is bounded.
"""
import json
import os
import resource
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request

HOME = os.environ["ROSTER_HOME"]
ARGS = dict(a.split("=", 1) for a in sys.argv[1:])
NODES = int(ARGS.get("nodes", "10000"))
SERVICES = int(ARGS.get("services", "17"))
SECONDS = int(ARGS.get("seconds", "10"))
ROUNDS = int(ARGS.get("rounds", "10"))
HEALTH_WATCHERS = int(ARGS.get("health_watchers", "1000"))
NAMES_WATCHERS = int(ARGS.get("names_watchers", "100"))
W4 = int(ARGS.get("w4", "0"))
NAMES_ONLY = ARGS.get("names_only", "") == "1"
DNS_QUERIES = int(ARGS.get("dns_queries", "100"))
OUT = ARGS.get("out", os.path.join(HOME, "bench", "target"))
JFR = ARGS.get("jfr", "")
WORK = ARGS["work"]
WRK_CORES = 0.0
lines = []


def say(s):
    print("run-scale: " + s, flush=True)
    lines.append(s)


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def http(method, path, body=None, timeout=30):
    req = urllib.request.Request(BASE + path, data=body, method=method)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, dict(r.headers), r.read()


def metric(name):
    try:
        _, _, b = http("GET", "/v1/agent/metrics", timeout=60)
    except OSError:
        return None
    for g in json.loads(b).get("Gauges", []):
        if g["Name"] == name:
            return g["Value"]
    return None


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def jcmd(pid, *cmd):
    return subprocess.run([os.path.join(os.environ["JAVA_HOME"], "bin", "jcmd"), str(pid), *cmd],
                          capture_output=True, text=True, timeout=120).stdout


def live_heap(pid):
    """Heap in use after a full GC (jcmd GC.run), in bytes."""
    jcmd(pid, "GC.run")
    out = jcmd(pid, "GC.heap_info")
    m = re.search(r"used (\d+)K", out)
    return int(m.group(1)) * 1024 if m else 0


def wrk(path, seconds, conns, threads=1, script=None, env=None, method_body=None):
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    cmd.append(BASE + path)
    t0 = time.time()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=seconds + 3600)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    global WRK_CORES  # wrk's own CPU share over its run (user + system), printed next to the agent's
    WRK_CORES = (c1.ru_utime - c0.ru_utime + c1.ru_stime - c0.ru_stime) / max(time.time() - t0, 1e-6)
    return p.stdout, time.time() - t0


def wrk_latency(out, pct):
    m = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    if not m:
        return float("nan")
    v = float(m.group(1))
    return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v


def wrk_rate(out):
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(m.group(1)) if m else float("nan")


def dns_srv_latencies(name, count):
    """SRV queries over UDP with EDNS (4096); milliseconds each, and the answer count of the last."""
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    times, answers = [], 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    for i in range(count):
        qid = i & 0xFFFF
        msg = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 1) + qname + struct.pack(">HH", 33, 1) \
            + b"\0" + struct.pack(">HHIH", 41, 4096, 0, 0)
        t0 = time.perf_counter()
        s.sendto(msg, ("127.0.0.1", DNS_PORT))
        data, _ = s.recvfrom(65535)
        times.append((time.perf_counter() - t0) * 1000)
        answers = struct.unpack(">H", data[6:8])[0]
    s.close()
    times.sort()
    return times, answers


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def wait_parked(n, limit_s):
    t0 = time.time()
    while time.time() - t0 < limit_s:
        v = metric("consul.rpc.queries_blocking") or 0
        if v >= n:
            return True
        time.sleep(0.2)
    return False


def h2load(path, n, conns, streams, threads=1):
    cmd = ["h2load", "-n", str(n), "-c", str(conns), "-m", str(streams), "-t", str(threads), BASE + path]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def now_us():
    return time.time_ns() // 1000


def index_of(path):
    _, h, _ = http("GET", path)
    return int(h["X-Consul-Index"])


# ---------------------------------------------------------------------------------------- agent
http_port, dns_port, server_port, lan_port, wan_port = free_ports(5)
BASE = f"http://127.0.0.1:{http_port}"
DNS_PORT = dns_port
opts = os.environ.get("ROSTER_JAVA_OPTS", "-XX:+UseG1GC -Xms256m -Xmx1g")
if JFR:
    opts += f" -XX:StartFlightRecording=filename={JFR},settings=profile"
log = open(os.path.join(WORK, "agent.log"), "w")
agent = subprocess.Popen([os.path.join(HOME, "bin", "roster"), "agent", "-dev", f"-http-port={http_port}",
                          f"-dns-port={dns_port}", f"-server-port={server_port}", f"-serf-lan-port={lan_port}",
                          f"-serf-wan-port={wan_port}", "-log-level=warn"],
                         stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ROSTER_JAVA_OPTS": opts})
try:
    for _ in range(300):
        try:
            if http("GET", "/v1/status/leader", timeout=1)[2].strip(b'"\n'):
                break
        except OSError:
            pass
        time.sleep(0.1)
    else:
        raise SystemExit("run-scale: the agent did not start; see " + log.name)
    pid = agent.pid
    say(f"agent pid {pid}, JVM options: {opts}; {os.cpu_count()} cores, shared with other work "
        f"(load average {os.getloadavg()[0]:.1f} at start)")
    heap0, rss0 = live_heap(pid), rss_kb(pid)

    # ------------------------------------------------------------------------------ registration
    instances = NODES * SERVICES
    env = {"NODES": str(NODES), "SERVICES": str(SERVICES), "THREADS": "2"}
    # wrk runs for its whole -d even when the script's threads stop, so the end is read from the
    # agent: the last instance of each thread's share is registered; then wrk is interrupted.
    cpu0, t0 = cpu_seconds(pid), time.time()
    reg = subprocess.Popen(["wrk", "-t", "2", "-c", "32", "-d", "3600s", "--timeout", "10s", "-s",
                            os.path.join(HOME, "bench", "wrk", "roster-register.lua"), BASE + "/"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **env})
    lasts = [f"node-{(instances // 2 - 1) // SERVICES:05d}", f"node-{NODES - 1:05d}"]
    while time.time() - t0 < 3600:
        time.sleep(0.2)
        done = 0
        for n in lasts:
            v = json.loads(http("GET", "/v1/catalog/node-services/" + n)[2])
            done += v is not None and len(v.get("Services") or []) >= SERVICES
        if done == len(lasts):
            break
    took = time.time() - t0
    cpu1 = cpu_seconds(pid)
    reg.send_signal(2)
    reg.wait(timeout=60)
    for _ in range(600):
        got = len(json.loads(http("GET", "/v1/catalog/service/svc-0")[2]))
        if got >= NODES:
            break
        time.sleep(0.1)
    names = json.loads(http("GET", "/v1/catalog/services")[2])
    assert len([n for n in names if n.startswith("svc-")]) == SERVICES, names.keys()
    say(f"registered {NODES:,} nodes x {SERVICES} services = {instances:,} instances, one check each, "
        f"in {took:.1f} s: {instances / took:,.0f} registrations/s (wrk -t2 -c32, PUT /v1/catalog/register), "
        f"agent CPU {cpu1 - cpu0:.1f} s ({(cpu1 - cpu0) / took:.2f} cores)")

    # ------------------------------------------------------------------------------ memory
    heap1, rss1 = live_heap(pid), rss_kb(pid)
    hist = jcmd(pid, "GC.class_histogram")
    with open(os.path.join(OUT, "scale-histogram.txt"), "w") as f:
        f.write(hist)
    say(f"live heap {heap0 / 1e6:.0f} MB before, {heap1 / 1e6:.0f} MB after: "
        f"{(heap1 - heap0) / instances:,.0f} bytes per instance (node and check included), "
        f"{(heap1 - heap0) / NODES:,.0f} bytes per node with its {SERVICES} instances and checks; "
        f"RSS {rss0 / 1024:.0f} MB -> {rss1 / 1024:.0f} MB ({(rss1 - rss0) * 1024 / instances:,.0f} bytes per instance)")
    rows = []
    for line in hist.splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows.append((int(m.group(2)), int(m.group(1)), m.group(3)))
    for b, n, cls in rows[:12]:
        say(f"  histogram: {cls:<60} {n:>10,} objects {b / 1e6:8.1f} MB ({b / instances:6.0f} B/instance)")
    for cls in ("io.roster.api.Node", "io.roster.api.NodeService", "io.roster.api.HealthCheck"):
        for b, n, c in rows:
            if c == cls:
                say(f"  {cls}: {n:,} objects, {b / n:.0f} bytes each (shallow)")

    # ------------------------------------------------------------------------------ reads
    out, _ = wrk("/v1/catalog/services", SECONDS, 1)
    say(f"GET /v1/catalog/services at {instances:,} instances: p50 {wrk_latency(out, 50):.2f} ms, "
        f"p99 {wrk_latency(out, 99):.2f} ms, {wrk_rate(out):,.0f} answers/s (wrk -t1 -c1 -d{SECONDS}s)")
    if NAMES_ONLY:
        raise SystemExit(0)
    size = len(http("GET", "/v1/health/service/svc-1?passing")[2])
    cpu0 = cpu_seconds(pid)
    out, took = wrk("/v1/health/service/svc-1?passing", SECONDS, 16, threads=2)
    cpu1 = cpu_seconds(pid)
    with open(os.path.join(OUT, "scale-wrk-health.txt"), "w") as f:
        f.write(out)
    say(f"GET /v1/health/service/svc-1?passing ({NODES:,} instances, {size / 1e6:.1f} MB): "
        f"{wrk_rate(out):,.1f} answers/s, p50 {wrk_latency(out, 50):.1f} ms, p99 {wrk_latency(out, 99):.1f} ms "
        f"(wrk -t2 -c16 -d{SECONDS}s), agent CPU {(cpu1 - cpu0) / took:.2f} cores, wrk CPU {WRK_CORES:.2f} cores, "
        f"load average {os.getloadavg()[0]:.1f}")
    req = urllib.request.Request(BASE + "/v1/health/service/svc-1?passing", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=60) as r:
        say(f"  the same with Accept-Encoding: gzip: {len(r.read()) / 1e6:.2f} MB, Content-Encoding "
            f"{r.headers.get('Content-Encoding')}")
    times, answers = dns_srv_latencies("svc-1.service.consul", DNS_QUERIES)
    say(f"DNS SRV svc-1.service.consul over UDP (EDNS 4096, {answers} answers fit): p50 {pct(times, 50):.2f} ms, "
        f"p99 {pct(times, 99):.2f} ms ({len(times)} queries one after another)")

    # ------------------------------------------------------------------------------ watchers while an instance flips
    flip_node = "node-00001"
    delays_agent, delays_client = [], []
    cpu0, t_start = cpu_seconds(pid), time.time()
    for r in range(ROUNDS):
        hi = index_of("/v1/health/service/svc-1?passing")
        ni = index_of("/v1/catalog/services")
        ph = h2load(f"/v1/health/service/svc-1?passing&index={hi}&wait=5m", HEALTH_WATCHERS,
                    max(1, HEALTH_WATCHERS // 100), 100)
        pn = h2load(f"/v1/catalog/services?index={ni}&wait=5m", NAMES_WATCHERS, 1, max(1, NAMES_WATCHERS))
        if not wait_parked(HEALTH_WATCHERS + NAMES_WATCHERS, 120):
            say("  watchers did not all park within 120 s")
        time.sleep(max(0.0, 0.1 - (time.time() % 0.1)))
        body = json.dumps({"Node": flip_node, "Address": "10.0.0.1", "NodeMeta": {"rack": "r1", "zone": "z1"},
                           "Service": {"ID": "svc-1-00001", "Service": "svc-1", "Tags": ["v1"], "Port": 8001,
                                       "Meta": {"flip": str(r)}}}).encode()
        t_write = now_us()
        http("PUT", "/v1/catalog/register", body)
        for p in (ph, pn):
            try:
                p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
        t_clients = now_us()
        last = metric("roster.blocking.last_answered_epoch_us") or t_write
        delays_agent.append((last - t_write) / 1000)
        delays_client.append((t_clients - t_write) / 1000)
    cpu = cpu_seconds(pid) - cpu0
    da, dc = sorted(delays_agent), sorted(delays_client)
    say(f"{HEALTH_WATCHERS:,} watchers on health/service/svc-1?passing + {NAMES_WATCHERS} on catalog/services, "
        f"{ROUNDS} rounds of one flip of one instance each: last watcher answered (agent gauge) p50 {pct(da, 50):.0f} ms, "
        f"max {da[-1]:.0f} ms; h2load had all, p50 {pct(dc, 50):.0f} ms, max {dc[-1]:.0f} ms; "
        f"agent CPU {cpu / (time.time() - t_start):.2f} cores over the rounds (parking included)")
    say(f"  renderings for woken watchers {metric('roster.blocking.woken_renderings'):,.0f}, "
        f"woken answers {metric('roster.blocking.woken_answers'):,.0f}")

    # ------------------------------------------------------------------------------ W4: 100k watchers of one key
    if W4:
        http("PUT", "/v1/kv/w4", b"0")
        idx = index_of("/v1/kv/w4")
        heap_before = live_heap(pid)
        conns = max(1, W4 // 1000)
        p = h2load(f"/v1/kv/w4?index={idx}&wait=5m", W4, conns, min(W4, 1000), threads=2)
        parked = wait_parked(W4, 300)
        heap_parked, rss_parked = live_heap(pid), rss_kb(pid)
        r0 = metric("roster.blocking.woken_renderings")
        t_write = now_us()
        http("PUT", "/v1/kv/w4", b"1")
        try:
            p.wait(timeout=300)
        except subprocess.TimeoutExpired:
            p.kill()
        t_clients = now_us()
        last = metric("roster.blocking.last_answered_epoch_us")
        h2 = p.stdout.read()
        m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded", h2)
        say(f"W4: {W4:,} watchers on one key over h2c (h2load -c{conns} -m{min(W4, 1000)} -t2; all parked: {parked}), "
            f"one write: agent answered the last {(last - t_write) / 1000:,.0f} ms after it, h2load had them all "
            f"{(t_clients - t_write) / 1000:,.0f} ms after it ({m.group(3) if m else '?'} succeeded); "
            f"renderings {metric('roster.blocking.woken_renderings') - r0:,.0f}; live heap parked "
            f"{heap_parked / 1e6:.0f} MB ({(heap_parked - heap_before) / W4:,.0f} B per watcher), RSS {rss_parked / 1024:.0f} MB")
finally:
    agent.terminate()
    try:
        agent.wait(timeout=30)
    except subprocess.TimeoutExpired:
        agent.kill()
    with open(os.path.join(OUT, "scale-" + time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
