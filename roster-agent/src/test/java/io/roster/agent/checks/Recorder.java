package io.roster.agent.checks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link CheckSink} that keeps every update, per check, and counts calls in progress. */
final class Recorder implements CheckSink {
    record Update(String status, String output) {
    }

    private final Map<String, List<Update>> updates = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    @Override
    public void update(String checkId, String status, String output) {
        AtomicInteger busy = inFlight.computeIfAbsent(checkId, k -> new AtomicInteger());
        busy.incrementAndGet();
        try {
            List<Update> list = updates.computeIfAbsent(checkId, k -> new ArrayList<>());
            synchronized (list) {
                list.add(new Update(status, output));
            }
        } finally {
            busy.decrementAndGet();
        }
    }

    List<Update> all(String checkId) {
        List<Update> list = updates.getOrDefault(checkId, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    int count(String checkId) {
        return all(checkId).size();
    }

    Update last(String checkId) {
        List<Update> all = all(checkId);
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    String status(String checkId) {
        Update u = last(checkId);
        return u == null ? null : u.status();
    }

    String output(String checkId) {
        Update u = last(checkId);
        return u == null ? null : u.output();
    }

    List<String> statuses(String checkId) {
        return all(checkId).stream().map(Update::status).toList();
    }

    boolean busy(String checkId) {
        AtomicInteger a = inFlight.get(checkId);
        return a != null && a.get() > 0;
    }
}
