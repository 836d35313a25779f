package io.roster.agent.checks;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Error texts in the shape Go's net package prints them ({@code dial tcp 127.0.0.1:1: connect:
 * connection refused}), since a check's output is what Consul users and tools read.
 */
final class GoErrors {
    private GoErrors() {
    }

    /** The error of dialing {@code network} to {@code addr} (resolved address, as Go shows it). */
    static String dial(String network, String addr, Exception e) {
        if (e instanceof SocketTimeoutException || e instanceof java.net.http.HttpConnectTimeoutException) {
            return "dial " + network + " " + addr + ": i/o timeout";
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return "dial " + network + " " + addr + ": connect: " + lowerFirst(message(e, "connection refused"));
        }
        return "dial " + network + " " + addr + ": " + lowerFirst(message(e, e.getClass().getSimpleName()));
    }

    /** The error of resolving {@code host}: Go's {@code lookup web: no such host}. */
    static String lookup(String network, String host, UnknownHostException e) {
        return "dial " + network + ": lookup " + host + ": no such host";
    }

    /** A read error on a connected UDP socket: Go's {@code read udp a->b: read: connection refused}. */
    static String udpRead(String local, String remote, Exception e) {
        String why = e instanceof PortUnreachableException ? "connection refused" : lowerFirst(message(e, "error"));
        return "read udp " + local + "->" + remote + ": read: " + why;
    }

    static String message(Throwable e, String fallback) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? fallback : m;
    }

    static String lowerFirst(String s) {
        if (s.isEmpty() || s.length() > 1 && Character.isUpperCase(s.charAt(1))) {
            return s; // an acronym ("SSL ...") stays as it is
        }
        return s.substring(0, 1).toLowerCase(Locale.ROOT) + s.substring(1);
    }
}
