"""Checks that drive python-consul (Debian's python3-consul 0.7.1) against a Roster agent.

Run as:  /usr/bin/python3 python_consul_checks.py <http-port> <check-name>
Exit status 0 means the check held; otherwise the last line of stderr says what did not.

The session and KV calls follow Patroni 3.0's DCS=consul usage (patroni/dcs/consul.py): a session
created with a lower-case body (name, checks [], lockdelay 0.001s, behavior delete, ttl half of
Patroni's ttl), the leader key taken with ?acquire=, updated with ?cas=, watched with
?index=<ModifyIndex>&wait=<float>s, and Consul's 500 messages matched by prefix
("invalid session", "Invalid Session TTL").
"""

import http.server
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

import consul

PORT = int(sys.argv[1])
BASE = "http://127.0.0.1:%d" % PORT
c = consul.Consul(host="127.0.0.1", port=PORT)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def eventually(predicate, message, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("not within %ss: %s" % (timeout, message))


def raw(method, path, body=None):
    """One request as sent on the wire; returns (status, headers, body text)."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(BASE + path, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode()


def patroni_session(name, ttl=15.0):
    """Patroni's session: python-consul's create, with the ttl Patroni appends (half its own ttl)."""
    return c.session.create(name=name, checks=[], lock_delay=0.001, behavior="delete", ttl=ttl)


def kv():
    check(c.kv.put("py/kv/a", "one"), "put a")
    check(c.kv.put("py/kv/b/c", "two", flags=5), "put b/c")
    index, item = c.kv.get("py/kv/a")
    check(item["Value"] == b"one", "value of a: %r" % item)
    check(int(index) == item["ModifyIndex"], "X-Consul-Index %s is the key's ModifyIndex %s" % (index, item["ModifyIndex"]))
    check(item["Key"] == "py/kv/a" and item["Flags"] == 0 and item["LockIndex"] == 0, "fields: %r" % item)
    check(c.kv.get("py/kv/b/c")[1]["Flags"] == 5, "flags")
    _, items = c.kv.get("py/kv/", recurse=True)
    check([i["Key"] for i in items] == ["py/kv/a", "py/kv/b/c"], "recurse: %r" % items)
    _, keys = c.kv.get("py/kv/", keys=True)
    check(keys == ["py/kv/a", "py/kv/b/c"], "keys: %r" % keys)
    _, keys = c.kv.get("py/kv/", keys=True, separator="/")
    check(keys == ["py/kv/a", "py/kv/b/"], "keys with separator: %r" % keys)
    # Patroni 3.0.4 reads its whole scope with consistent=1 (and stale=1 when allowed).
    _, items = c.kv.get("py/kv/", recurse=True, consistency="consistent")
    check(len(items) == 2, "consistent recurse")
    _, items = c.kv.get("py/kv/", recurse=True, consistency="stale")
    check(len(items) == 2, "stale recurse")
    # A missing key: python-consul reads X-Consul-Index from the 404 (a KeyError without it).
    index, none = c.kv.get("py/kv/missing")
    check(none is None and int(index) > 0, "404 carries a non-zero index: %r" % (index,))
    check(c.kv.delete("py/kv/a"), "delete a")
    check(c.kv.get("py/kv/a")[1] is None, "a deleted")
    check(c.kv.delete("py/kv/", recurse=True), "delete recurse")
    check(c.kv.get("py/kv/", recurse=True)[1] is None, "tree deleted")


def cas():
    check(c.kv.put("py/cas/k", "v1", cas=0), "cas=0 creates")
    check(not c.kv.put("py/cas/k", "v1b", cas=0), "cas=0 does not overwrite")
    index = c.kv.get("py/cas/k")[1]["ModifyIndex"]
    check(not c.kv.put("py/cas/k", "stale", cas=index + 1000), "stale cas refused")
    check(c.kv.put("py/cas/k", "v2", cas=index), "current cas accepted")
    index = c.kv.get("py/cas/k")[1]["ModifyIndex"]
    status, _, body = raw("DELETE", "/v1/kv/py/cas/k?cas=%d" % (index + 1000))
    check(status == 200 and body.strip() == "false", "delete with stale cas: %s %s" % (status, body))
    check(c.kv.delete("py/cas/k", cas=index), "delete with current cas")
    check(c.kv.get("py/cas/k")[1] is None, "deleted by cas")


def session_patroni_body():
    # The exact request Patroni makes, checked on the wire too: the answer is exactly {"ID": ...}.
    status, _, body = raw("PUT", "/v1/session/create", json.dumps(
        {"name": "batman-wire", "checks": [], "lockdelay": "0.001s", "behavior": "delete", "ttl": "15.0s"}))
    check(status == 200, "create: %s %s" % (status, body))
    answer = json.loads(body)
    check(list(answer) == ["ID"], "create answers exactly an ID: %s" % body)
    c.session.destroy(answer["ID"])

    sid = patroni_session("batman-postgresql0")
    _, info = c.session.info(sid)
    check(info["ID"] == sid and info["Name"] == "batman-postgresql0", "info: %r" % info)
    check(info["Behavior"] == "delete", "behavior: %r" % info)
    check(info["TTL"] in ("15.0s", "15s"), "ttl: %r" % info)
    check(info["LockDelay"] == 1000000, "lockdelay 0.001s is 1ms in ns: %r" % info)
    check(info["Checks"] == [], "no checks (no serfHealth) when checks is []: %r" % info)
    renewed = c.session.renew(sid)
    check(isinstance(renewed, dict) and renewed["ID"] == sid, "renew returns the session: %r" % renewed)
    status, _, body = raw("PUT", "/v1/session/renew/" + sid)
    check(status == 200 and isinstance(json.loads(body), list), "renew body is a JSON array: %s" % body)
    _, sessions = c.session.list()
    check(sid in [s["ID"] for s in sessions], "list")
    _, on_node = c.session.node("it-node")
    check(sid in [s["ID"] for s in on_node], "node")
    check(c.session.destroy(sid), "destroy")
    try:
        c.session.renew(sid)
        raise AssertionError("renewing a destroyed session must fail")
    except consul.NotFound:
        pass  # Patroni then creates a new session


def acquire_and_watch():
    s1 = patroni_session("batman-pg0")
    s2 = patroni_session("batman-pg1")
    leader = "service/batman/leader"
    check(c.kv.put(leader, "pg0", acquire=s1), "pg0 acquires")
    check(not c.kv.put(leader, "pg1", acquire=s2), "pg1 cannot acquire a held lock")
    _, items = c.kv.get("service/batman/", recurse=True, consistency="consistent")
    held = [i for i in items if i["Key"] == leader][0]
    check(held["Session"] == s1 and held["Value"] == b"pg0", "leader row: %r" % held)

    # Patroni's watch: index=<the key's ModifyIndex>&wait=<float>s; another index means "changed".
    index = held["ModifyIndex"]
    result = {}

    def watch():
        result["answer"] = c.kv.get(leader, index=index, wait="9.87s")

    t = threading.Thread(target=watch)
    started = time.monotonic()
    t.start()
    time.sleep(0.5)
    check("answer" not in result, "the watch waits for a change")
    check(c.kv.put(leader, "pg0-updated", cas=index), "update leader with cas")
    t.join(10)
    check("answer" in result, "the watch answered after the change")
    new_index, item = result["answer"]
    check(int(new_index) != index and item["Value"] == b"pg0-updated", "changed: %r" % (result["answer"],))
    check(time.monotonic() - started < 5, "answered promptly")

    # Nothing changes: the answer comes after wait (+ at most wait/16), within Patroni's read timeout.
    started = time.monotonic()
    same_index, _ = c.kv.get(leader, index=int(new_index), wait="1.5s")
    took = time.monotonic() - started
    check(int(same_index) == int(new_index), "same index after a quiet wait")
    check(1.4 <= took <= 1.5 + max(1.5 / 15, 1.0), "quiet wait took %.2fs" % took)

    # Releasing by destroying a "delete" session deletes the leader key.
    c.session.destroy(s1)
    check(c.kv.get(leader)[1] is None, "leader key deleted with its delete-behaviour session")
    c.session.destroy(s2)


def invalid_session():
    bogus = str(uuid.uuid4())
    try:
        c.kv.put("service/batman/leader", "x", acquire=bogus)
        raise AssertionError("acquire with an unknown session must fail")
    except consul.ConsulException as e:
        check(str(e).startswith("500 invalid session"), "python-consul error: %s" % e)
    status, _, body = raw("PUT", "/v1/kv/service/batman/leader?acquire=" + bogus, "x")
    check(status == 500 and body.startswith("invalid session"), "Patroni matches the body prefix: %s %r" % (status, body))
    check(bogus in body, "the message names the session: %r" % body)


def invalid_session_ttl():
    status, _, body = raw("PUT", "/v1/session/create", json.dumps({"name": "too-short", "ttl": "0.5s"}))
    check(status == 500 and body.startswith("Invalid Session TTL"), "short ttl: %s %r" % (status, body))
    # Patroni then reads the minimum (nanoseconds) and retries with it.
    self_ = c.agent.self()
    check(self_["Config"]["SessionTTLMin"] == 1000000000, "SessionTTLMin: %r" % self_["Config"].get("SessionTTLMin"))


def session_ttl_expiry():
    # Consul invalidates a session 2 x TTL after its last renewal; a delete session takes its keys with it.
    status, _, body = raw("PUT", "/v1/session/create", json.dumps(
        {"name": "expiring", "checks": [], "lockdelay": "0.001s", "behavior": "delete", "ttl": "1s"}))
    check(status == 200, "create: %s %s" % (status, body))
    sid = json.loads(body)["ID"]
    check(c.kv.put("py/ttl/leader", "me", acquire=sid), "acquire")
    eventually(lambda: c.kv.get("py/ttl/leader")[1] is None, "key deleted when the session expires")
    check(c.session.info(sid)[1] is None, "session gone")


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        code = 200 if self.path == "/master" else 503
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def register_service():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        # Patroni's register_service: lower-case body, id "<scope>/<name>", an HTTP check on its REST API.
        check_def = consul.Check.http("http://127.0.0.1:%d/master" % port, "1s", deregister="90s")
        c.agent.service.register("batman", service_id="batman/postgresql0", address="127.0.0.1", port=5432,
                                 tags=["master"], check=check_def, enable_tag_override=True)
        check("batman/postgresql0" in c.agent.services(), "registered: %r" % c.agent.services())

        def passing():
            _, nodes = c.health.service("batman", passing=True)
            return [n["Service"]["ID"] for n in nodes] == ["batman/postgresql0"]

        eventually(passing, "the HTTP check passes and the instance is healthy")
        _, nodes = c.health.service("batman", tag="master")
        check(nodes[0]["Service"]["Port"] == 5432 and nodes[0]["Service"]["Tags"] == ["master"], "entry: %r" % nodes)
        _, services = c.catalog.services()
        check(services.get("batman") == ["master"], "catalog services: %r" % services)

        # A role change: Patroni re-registers with the new tag and check URL.
        check_def = consul.Check.http("http://127.0.0.1:%d/replica" % port, "1s", deregister="90s")
        c.agent.service.register("batman", service_id="batman/postgresql0", address="127.0.0.1", port=5432,
                                 tags=["replica"], check=check_def, enable_tag_override=True)
        eventually(lambda: c.health.service("batman", passing=True)[1] == [], "the /replica check (503) is critical")

        # python-consul 0.7.1 sends GET for agent/service/deregister (and check/pass|warn|fail); Consul
        # has required PUT there since 1.0 and answers 405, and so does Roster. Newer python-consul
        # (and Patroni's flow) use PUT, sent here through python-consul's own HTTP layer.
        check(not c.agent.service.deregister("batman/postgresql0"), "GET deregister is refused, as by Consul")
        status, headers, _ = raw("GET", "/v1/agent/service/deregister/batman/postgresql0")
        check(status == 405 and "PUT" in headers.get("Allow", ""), "405 with Allow: %s" % status)
        check(c.http.put(consul.base.CB.bool(), "/v1/agent/service/deregister/batman/postgresql0"),
              "PUT deregister with a slash in the ID")
        check("batman/postgresql0" not in c.agent.services(), "deregistered")
        eventually(lambda: c.health.service("batman")[1] == [], "gone from health")
    finally:
        server.shutdown()


def blocking_index_semantics():
    # Every blocking-capable read has a non-zero X-Consul-Index, including catalog and health.
    for path in ("/v1/catalog/services", "/v1/catalog/nodes", "/v1/health/service/nothing",
                 "/v1/kv/py/nothing", "/v1/session/list", "/v1/health/state/any"):
        status, headers, _ = raw("GET", path)
        index = headers.get("X-Consul-Index")
        check(index is not None and int(index) > 0, "%s has a non-zero X-Consul-Index: %r" % (path, index))
    index, _ = c.catalog.services()
    started = time.monotonic()
    again, _ = c.catalog.services(index=index, wait="1s")
    check(again == index and time.monotonic() - started >= 0.9, "catalog blocks for wait when nothing changes")


def agent_catalog_health():
    check(c.status.leader() != "", "leader")
    check(len(c.status.peers()) == 1, "peers")
    check(c.agent.self()["Config"]["NodeName"] == "it-node", "agent self")
    check([m["Name"] for m in c.agent.members()] == ["it-node"], "members")
    _, nodes = c.catalog.nodes()
    check("it-node" in [n["Node"] for n in nodes], "catalog nodes: %r" % nodes)
    _, node = c.catalog.node("it-node")
    check("consul" in [s["Service"] for s in node["Services"].values()], "catalog node: %r" % node)
    _, checks = c.health.node("it-node")
    check("serfHealth" in [x["CheckID"] for x in checks], "health node")

    # A TTL service check; python-consul 0.7.1's ttl_pass is a GET (refused since Consul 1.0), so
    # the check is updated with PUT through python-consul's HTTP layer, as newer versions do.
    c.agent.service.register("py-ttl", service_id="py-ttl-1", port=7000, check=consul.Check.ttl("30s"))
    index, entries = c.health.service("py-ttl", passing=True)
    check(entries == [], "a new TTL check is critical: %r" % entries)
    result = {}

    def watch():
        result["answer"] = c.health.service("py-ttl", passing=True, index=index, wait="10s")

    t = threading.Thread(target=watch)
    t.start()
    time.sleep(0.3)
    check("answer" not in result, "a blocking health query waits")
    check(c.http.put(consul.base.CB.bool(), "/v1/agent/check/pass/service:py-ttl-1", params={"note": "ok"}),
          "check pass")
    t.join(10)
    new_index, passing = result["answer"]
    check(int(new_index) > int(index) and [e["Service"]["ID"] for e in passing] == ["py-ttl-1"],
          "the blocking health query answered with the passing instance: %r" % (result["answer"],))
    _, states = c.health.state("passing")
    check("service:py-ttl-1" in [x["CheckID"] for x in states], "health state passing")
    _, svc_checks = c.health.checks("py-ttl")
    check(svc_checks[0]["Output"] == "ok", "check output: %r" % svc_checks)
    check("service:py-ttl-1" in c.agent.checks(), "agent checks")
    check(c.agent.service.maintenance("py-ttl-1", "true", reason="upgrade"), "maintenance on")
    check("_service_maintenance:py-ttl-1" in c.agent.checks(), "maintenance check")
    check(c.agent.service.maintenance("py-ttl-1", "false"), "maintenance off")
    check(c.http.put(consul.base.CB.bool(), "/v1/agent/service/deregister/py-ttl-1"), "deregister")


def prepared_queries_and_coordinates():
    """python-consul's query and coordinate calls (issue 21): create, get, update, execute, explain, delete."""
    for node, tags in (("py-q1", ["v1"]), ("py-q2", ["v2"])):
        check(c.catalog.register(node, "10.4.0.%s" % node[-1],
                                 service={"Service": "pyq-web", "ID": "pyq-" + node, "Port": 80, "Tags": tags}),
              "register " + node)
    created = c.query.create("pyq-web", name="py-web-v1", tags=["v1"], ttl="9s")
    check(list(created) == ["ID"], "create answers exactly an ID: %r" % created)
    qid = created["ID"]
    got = c.query.get(qid)
    check(len(got) == 1 and got[0]["Name"] == "py-web-v1" and got[0]["DNS"]["TTL"] == "9s", "get: %r" % got)
    check(qid in [q["ID"] for q in c.query.list()], "list")
    answer = c.query.execute("py-web-v1")
    check([n["Service"]["ID"] for n in answer["Nodes"]] == ["pyq-py-q1"], "execute by name: %r" % answer)
    check(answer["Service"] == "pyq-web" and answer["Datacenter"] == "dc1" and answer["Failovers"] == 0,
          "execute answer: %r" % answer)
    check(c.query.update(qid, "pyq-web", name="py-web-v1", tags=["v2"]), "update")
    # python-consul 0.7.1 always sends Template {Type: name_prefix_match}: every query it creates is a
    # template, which Consul (and Roster) execute by name only.
    check(got[0]["Template"]["Type"] == "name_prefix_match", "python-consul's queries are templates: %r" % got)
    try:
        c.query.execute(qid)
        check(False, "a template executed by ID")
    except consul.base.ConsulException as e:
        check("can only be resolved up by name" in str(e), "template by ID: %s" % e)
    answer = c.query.execute("py-web-v1")
    check([n["Service"]["ID"] for n in answer["Nodes"]] == ["pyq-py-q2"], "execute after update: %r" % answer)
    check(c.query.explain("py-web-v1")["Query"]["Service"]["Tags"] == ["v2"], "explain")
    check(c.query.delete(qid), "delete")
    check(qid not in [q["ID"] for q in c.query.list()], "deleted")
    dcs = c.coordinate.datacenters()
    check(set(dcs[0].keys()) == {"Datacenter", "Coordinates", "AreaID"}, "coordinate datacenters: %r" % dcs)
    index, nodes = c.coordinate.nodes()
    check(int(index) > 0 and isinstance(nodes, list), "coordinate nodes: %r %r" % (index, nodes))


CHECKS = {f.__name__: f for f in (kv, cas, session_patroni_body, acquire_and_watch, invalid_session,
                                  invalid_session_ttl, session_ttl_expiry, register_service,
                                  blocking_index_semantics, agent_catalog_health,
                                  prepared_queries_and_coordinates)}

if __name__ == "__main__":
    if sys.argv[2] == "list":
        print("\n".join(CHECKS))
        sys.exit(0)
    CHECKS[sys.argv[2]]()
    print("ok " + sys.argv[2])
