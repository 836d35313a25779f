package io.roster.it.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import io.roster.it.lin.BankModel;
import io.roster.it.lin.History;
import io.roster.it.lin.KvModel;
import io.roster.it.lin.LockModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of a fault run, over real HTTP through the {@link HttpBridge}, each sending every
 * request to a server picked at random (followers forward), and recording every operation in a
 * {@link History}:
 *
 * <ul>
 *   <li>KV registers {@code fz/r<n>}: unique-value writes, {@code ?cas=<ModifyIndex>} writes from the
 *       version the client last read, {@code ?consistent} reads and default reads;
 *   <li>locks {@code fz/lock<n>}: {@code ?acquire} / {@code ?release} by one session per client
 *       (no lock-delay, no health checks) and {@code ?consistent} reads of Session and LockIndex;
 *   <li>a bank {@code fz/bank/<n>}: {@code ?recurse&consistent} reads and transfers by {@code /v1/txn}
 *       (check-index of both accounts as read, then set both);
 *   <li>two watchers: blocking queries ({@code ?index=&wait=2s}) on one register, one with
 *       {@code ?consistent} (its {@code X-Consul-Index} must never be lower than one it has
 *       already seen) and one with default consistency (checked the same, reported apart).
 * </ul>
 *
 * <p>Outcomes: an answer is {@code ok}; a request that surely never arrived (connection refused or
 * not established) or a 4xx is {@code fail}; a timeout, a broken connection or a 5xx is {@code info}
 * (unknown: it may have been applied). Reads that get no answer are left out (they change nothing).
 */
final class Workload {
    static final int REGISTERS = 5;
    static final int LOCKS = 2;
    static final int ACCOUNTS = 5;
    static final long BALANCE = 100;
    private static final Duration OP_TIMEOUT = Duration.ofSeconds(5);
    private static final int FINAL_CLIENT = 999;

    final History kv = new History();
    final History locks = new History();
    final History bank = new History();
    /** Blocking queries with {@code ?consistent} that answered a lower index than seen: must stay empty. */
    final List<String> watchViolations = new CopyOnWriteArrayList<>();
    /** The same with default consistency: reported apart (a deposed leader may answer stale, as Consul's). */
    final List<String> watchDefaultViolations = new CopyOnWriteArrayList<>();
    final AtomicLong watchAnswers = new AtomicLong();
    private final HttpBridge http;
    private final long seed;
    private final String[] sessions = new String[2];
    private volatile boolean stop;

    private final int servers;

    Workload(HttpBridge http, long seed) {
        this(http, seed, 3);
    }

    /** Clients of the first {@code servers} servers of {@link Cluster#IPS}, each request to one picked at random. */
    Workload(HttpBridge http, long seed, int servers) {
        this.http = http;
        this.seed = seed;
        this.servers = servers;
    }

    // ---- setup ---------------------------------------------------------------------------

    /** Creates the lock clients' sessions and the bank's accounts; false when the cluster did not take them in time. */
    boolean setup(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        Random rnd = new Random(seed);
        for (int i = 0; i < sessions.length; i++) {
            while (sessions[i] == null && System.nanoTime() < deadline) {
                HttpBridge.Answer a = http.call("PUT", Cluster.url(rnd.nextInt(servers)) + "/v1/session/create",
                        "{\"Name\":\"fz-lock-" + i + "\",\"LockDelay\":\"0s\",\"Checks\":[]}", OP_TIMEOUT);
                if (a.status() == 200 && tree(a.body()).path("ID").isTextual()) {
                    sessions[i] = tree(a.body()).path("ID").asText();
                } else {
                    pause(500);
                }
            }
        }
        StringBuilder txn = new StringBuilder("[");
        for (int i = 0; i < ACCOUNTS; i++) {
            txn.append(i == 0 ? "" : ",").append("{\"KV\":{\"Verb\":\"set\",\"Key\":\"fz/bank/").append(i)
                    .append("\",\"Value\":\"").append(b64(Long.toString(BALANCE))).append("\"}}");
        }
        txn.append("]");
        boolean bankDone = false;
        while (!bankDone && System.nanoTime() < deadline) {
            HttpBridge.Answer a = http.call("PUT", Cluster.url(rnd.nextInt(servers)) + "/v1/txn", txn.toString(), OP_TIMEOUT);
            bankDone = a.status() == 200;
            if (!bankDone) {
                pause(500);
            }
        }
        return bankDone && sessions[0] != null && sessions[1] != null;
    }

    // ---- the run -------------------------------------------------------------------------

    /** Runs every client for {@code length}, then waits for their last operations (bounded by their timeouts). */
    void run(Duration length) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        int id = 0;
        for (int i = 0; i < 4; i++) {
            int c = id++;
            threads.add(Thread.ofPlatform().name("fz-kv-" + c).start(() -> kvClient(c)));
        }
        for (int i = 0; i < 2; i++) {
            int c = id++;
            int s = i;
            threads.add(Thread.ofPlatform().name("fz-lock-" + c).start(() -> lockClient(c, s)));
        }
        for (int i = 0; i < 2; i++) {
            int c = id++;
            threads.add(Thread.ofPlatform().name("fz-bank-" + c).start(() -> bankClient(c)));
        }
        int w = id++;
        threads.add(Thread.ofPlatform().name("fz-watch").start(() -> watchClient(w, true, watchViolations)));
        int wd = id;
        threads.add(Thread.ofPlatform().name("fz-watch-default").start(() -> watchClient(wd, false, watchDefaultViolations)));
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            Thread.sleep(Math.max(1, Math.min(500, (end - System.nanoTime()) / 1_000_000)));
        }
        stop = true;
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30).toMillis());
        }
    }

    private Random rnd(int client) {
        return new Random(seed * 1000 + client);
    }

    private String server(Random rnd) {
        return Cluster.url(rnd.nextInt(servers));
    }

    private void kvClient(int c) {
        Random rnd = rnd(c);
        Map<String, String[]> seen = new HashMap<>(); // key -> {value, ModifyIndex} last read
        int n = 0;
        while (!stop) {
            String key = "fz/r" + rnd.nextInt(REGISTERS);
            int kind = rnd.nextInt(10);
            if (kind < 3) {
                read(c, key, "consistent", rnd, seen);
            } else if (kind < 5) {
                read(c, key, "default", rnd, seen);
            } else if (kind < 7) {
                String v = "c" + c + "-" + n++;
                History.Pending p = kv.invoke(c, new KvModel.Write(key, v));
                HttpBridge.Answer a = http.call("PUT", server(rnd) + "/v1/kv/" + key, v, OP_TIMEOUT);
                write(p, a, true);
                backOff(a, rnd);
            } else {
                String[] last = seen.get(key);
                if (last == null) {
                    read(c, key, "consistent", rnd, seen);
                } else {
                    String v = "c" + c + "-" + n++;
                    History.Pending p = kv.invoke(c, new KvModel.Cas(key, last[0], v));
                    HttpBridge.Answer a = http.call("PUT", server(rnd) + "/v1/kv/" + key + "?cas=" + last[1], v, OP_TIMEOUT);
                    write(p, a, false);
                    backOff(a, rnd);
                }
            }
            think(rnd);
        }
    }

    private void read(int c, String key, String mode, Random rnd, Map<String, String[]> seen) {
        History.Pending p = kv.invoke(c, new KvModel.Read(key, mode));
        HttpBridge.Answer a = http.call("GET", server(rnd) + "/v1/kv/" + key + (mode.equals("consistent") ? "?consistent" : ""), null, OP_TIMEOUT);
        if (a.status() == 404) {
            p.ok(null);
            seen.put(key, new String[] {null, "0"});
        } else if (a.status() == 200 && tree(a.body()).has(0)) {
            JsonNode e = tree(a.body()).get(0);
            String v = e.path("Value").isNull() ? null : new String(Base64.getDecoder().decode(e.path("Value").asText()), StandardCharsets.UTF_8);
            p.ok(v);
            seen.put(key, new String[] {v, Long.toString(e.path("ModifyIndex").asLong())});
        } else {
            p.fail();
            backOff(a, rnd);
        }
    }

    /** A KV write's outcome: {@code true}/{@code false} answers are ok (a plain write must answer true). */
    private static void write(History.Pending p, HttpBridge.Answer a, boolean plain) {
        String body = a.body().strip();
        if (a.status() == 200 && (body.equals("true") || body.equals("false"))) {
            if (plain && body.equals("false")) {
                p.info(); // a plain set never answers false; if it did, do not let it pass as a success
            } else {
                p.ok(plain ? Boolean.TRUE : Boolean.valueOf(body));
            }
        } else {
            classifyFailure(p, a);
        }
    }

    private static void classifyFailure(History.Pending p, HttpBridge.Answer a) {
        if (a.status() == 0 ? a.neverSent() : a.status() >= 400 && a.status() < 500) {
            p.fail();
        } else {
            p.info();
        }
    }

    private void lockClient(int c, int s) {
        Random rnd = rnd(c);
        String session = sessions[s];
        while (!stop) {
            String key = "fz/lock" + rnd.nextInt(LOCKS);
            int kind = rnd.nextInt(10);
            if (kind < 4) {
                History.Pending p = locks.invoke(c, new LockModel.Acquire(key, session));
                HttpBridge.Answer a = http.call("PUT", server(rnd) + "/v1/kv/" + key + "?acquire=" + session, "c" + c, OP_TIMEOUT);
                write(p, a, false);
                backOff(a, rnd);
            } else if (kind < 7) {
                History.Pending p = locks.invoke(c, new LockModel.Release(key, session));
                HttpBridge.Answer a = http.call("PUT", server(rnd) + "/v1/kv/" + key + "?release=" + session, "c" + c, OP_TIMEOUT);
                write(p, a, false);
                backOff(a, rnd);
            } else if (!readLock(c, key, server(rnd))) {
                pause(100 + rnd.nextInt(200));
            }
            think(rnd);
        }
    }

    private boolean readLock(int c, String key, String server) {
        History.Pending p = locks.invoke(c, new LockModel.Read(key));
        HttpBridge.Answer a = http.call("GET", server + "/v1/kv/" + key + "?consistent", null, OP_TIMEOUT);
        if (a.status() == 404) {
            p.ok(new LockModel.State(null, 0));
            return true;
        } else if (a.status() == 200 && tree(a.body()).has(0)) {
            JsonNode e = tree(a.body()).get(0);
            String holder = e.path("Session").isTextual() && !e.path("Session").asText().isEmpty() ? e.path("Session").asText() : null;
            p.ok(new LockModel.State(holder, e.path("LockIndex").asLong()));
            return true;
        }
        p.fail();
        return false;
    }

    private void bankClient(int c) {
        Random rnd = rnd(c);
        while (!stop) {
            long[] idx = new long[ACCOUNTS];
            BankModel.Balances b = readBank(c, server(rnd), idx);
            if (b == null) {
                pause(100 + rnd.nextInt(200));
            }
            think(rnd);
            if (b != null && !stop && !b.amounts().contains(-1L)) {
                int from = rnd.nextInt(ACCOUNTS);
                int to = (from + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                long amount = 1 + rnd.nextInt(10);
                String txn = "[" + check(from, idx[from]) + "," + check(to, idx[to]) + ","
                        + set(from, b.amounts().get(from) - amount) + "," + set(to, b.amounts().get(to) + amount) + "]";
                History.Pending p = bank.invoke(c, new BankModel.Transfer(from, to, amount, b.amounts().get(from), b.amounts().get(to)));
                HttpBridge.Answer a = http.call("PUT", server(rnd) + "/v1/txn", txn, OP_TIMEOUT);
                if (a.status() == 200) {
                    p.ok(Boolean.TRUE);
                } else if (a.status() == 409) {
                    p.fail(); // a check-index failed: rolled back, nothing written
                } else {
                    classifyFailure(p, a);
                }
                backOff(a, rnd);
                think(rnd);
            }
        }
    }

    private static String check(int account, long index) {
        return "{\"KV\":{\"Verb\":\"check-index\",\"Key\":\"fz/bank/" + account + "\",\"Index\":" + index + "}}";
    }

    private static String set(int account, long balance) {
        return "{\"KV\":{\"Verb\":\"set\",\"Key\":\"fz/bank/" + account + "\",\"Value\":\"" + b64(Long.toString(balance)) + "\"}}";
    }

    /** A consistent read of every account (also recorded); null when no answer. {@code idx} gets each account's ModifyIndex. */
    private BankModel.Balances readBank(int c, String server, long[] idx) {
        History.Pending p = bank.invoke(c, new BankModel.Read());
        HttpBridge.Answer a = http.call("GET", server + "/v1/kv/fz/bank/?recurse&consistent", null, OP_TIMEOUT);
        if (a.status() != 200 && a.status() != 404) {
            p.fail();
            return null;
        }
        Long[] amounts = new Long[ACCOUNTS];
        java.util.Arrays.fill(amounts, -1L); // a missing account shows as -1: not a state the model can reach
        if (a.status() == 200) {
            for (JsonNode e : tree(a.body())) {
                int i = Integer.parseInt(e.path("Key").asText().substring("fz/bank/".length()));
                amounts[i] = Long.parseLong(new String(Base64.getDecoder().decode(e.path("Value").asText()), StandardCharsets.UTF_8));
                idx[i] = e.path("ModifyIndex").asLong();
            }
        }
        BankModel.Balances b = new BankModel.Balances(List.of(amounts));
        p.ok(b);
        return b;
    }

    private void watchClient(int c, boolean consistent, List<String> violations) {
        Random rnd = rnd(c);
        long seen = 0;
        String seenFrom = "";
        while (!stop) {
            String server = server(rnd);
            HttpBridge.Answer a = http.call("GET", server + "/v1/kv/fz/r0?index=" + seen + "&wait=2s" + (consistent ? "&consistent" : ""),
                    null, Duration.ofSeconds(8));
            if ((a.status() == 200 || a.status() == 404) && a.index() > 0) {
                watchAnswers.incrementAndGet();
                if (a.index() < seen) {
                    violations.add((consistent ? "consistent" : "default") + ": index " + a.index() + " from " + server + " after " + seen + " from " + seenFrom);
                } else {
                    seen = a.index();
                    seenFrom = server;
                }
            } else if (a.status() == 0 || a.status() >= 500) {
                pause(200);
            }
        }
    }

    // ---- after the heal ------------------------------------------------------------------

    /**
     * A consistent read of every key, recorded like any other operation (so a lost acknowledged
     * write makes the history non-linearizable), each retried until it is answered (bounded).
     * Returns the keys that could not be read.
     */
    List<String> finalReads(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        Random rnd = new Random(seed + 7);
        List<String> unread = new ArrayList<>();
        for (int r = 0; r < REGISTERS; r++) {
            String key = "fz/r" + r;
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                int before = kv.failed();
                read(FINAL_CLIENT, key, "consistent", rnd, new HashMap<>());
                done = kv.failed() == before;
                if (!done) {
                    pause(500);
                }
            }
            if (!done) {
                unread.add(key);
            }
        }
        for (int l = 0; l < LOCKS; l++) {
            String key = "fz/lock" + l;
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                done = readLock(FINAL_CLIENT, key, server(rnd));
                if (!done) {
                    pause(500);
                }
            }
            if (!done) {
                unread.add(key);
            }
        }
        boolean done = false;
        while (!done && System.nanoTime() < deadline) {
            done = readBank(FINAL_CLIENT, server(rnd), new long[ACCOUNTS]) != null;
            if (!done) {
                pause(500);
            }
        }
        if (!done) {
            unread.add("fz/bank/");
        }
        return unread;
    }

    private static void think(Random rnd) {
        pause(10 + rnd.nextInt(30));
    }

    /** After an answer that was no answer (server down or cut off), back off a little instead of spinning. */
    private static void backOff(HttpBridge.Answer a, Random rnd) {
        if (a.status() == 0 || a.status() >= 500) {
            pause(100 + rnd.nextInt(200));
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A JSON answer's tree; a JSON null node when the body is not JSON (counted as no answer by the callers' checks). */
    private static JsonNode tree(String body) {
        try {
            JsonNode n = Json.mapper().readTree(body);
            return n == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : n;
        } catch (java.io.IOException e) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
    }
}
