# The fault runs' HTTP client, run inside the client host's network namespace (the test JVM lives in
# the root namespace, which cannot reach the hosts' addresses). One request per stdin line, as JSON
# {"id", "m" (method), "u" (URL), "b" (body text or null), "t" (timeout, s)}; each runs on its own
# thread on a new connection; one answer per stdout line:
# {"id", "s" (status, 0 when none), "i" (X-Consul-Index or null), "b" (body text), "e" (null, or
# "refused": the request surely never reached a server; "timeout"; "error": the connection broke
# after the request may have been sent)}.
import http.client, json, socket, sys, threading, urllib.parse

out_lock = threading.Lock()

def emit(obj):
    line = json.dumps(obj)
    with out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

def run(req):
    u = urllib.parse.urlsplit(req["u"])
    path = u.path + ("?" + u.query if u.query else "")
    body = req.get("b")
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=req.get("t", 5))
    try:
        try:
            conn.connect()
        except ConnectionRefusedError:
            emit({"id": req["id"], "s": 0, "i": None, "b": "", "e": "refused"})
            return
        except socket.timeout:
            # not connected: nothing was sent
            emit({"id": req["id"], "s": 0, "i": None, "b": "", "e": "refused"})
            return
        except OSError as e:
            emit({"id": req["id"], "s": 0, "i": None, "b": str(e), "e": "refused"})
            return
        conn.request(req["m"], path, body=None if body is None else body.encode("utf-8"))
        r = conn.getresponse()
        data = r.read().decode("utf-8", "replace")
        emit({"id": req["id"], "s": r.status, "i": r.getheader("X-Consul-Index"), "b": data, "e": None})
    except socket.timeout:
        emit({"id": req["id"], "s": 0, "i": None, "b": "", "e": "timeout"})
    except Exception as e:
        emit({"id": req["id"], "s": 0, "i": None, "b": type(e).__name__ + ": " + str(e), "e": "error"})
    finally:
        conn.close()

for line in sys.stdin:
    line = line.strip()
    if line:
        threading.Thread(target=run, args=(json.loads(line),), daemon=True).start()
