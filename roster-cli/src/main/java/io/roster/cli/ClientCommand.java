package io.roster.cli;

import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every command that talks to an agent shares: the HTTP flags ({@link HttpOptions}), UTF-8
 * output that passes raw bytes through (a KV value is printed as stored), and Consul's error
 * conventions: one line on stderr with Consul's wording, exit code 1 for an error and 2 for a
 * usage mistake.
 *
 * <p>Every subclass names {@link GoFlags} as its model transformer, so that parsing stops at the
 * first argument that is not a flag, as Go's {@code flag} package does: in
 * {@code roster kv put counter -1} the {@code -1} is data, and in {@code roster lock p sh -c x}
 * the {@code -c} belongs to the child.
 */
abstract class ClientCommand implements Callable<Integer> {
    @Mixin
    HttpOptions http;
    @Spec
    CommandSpec spec;

    /** Standard output as UTF-8; write raw bytes to it for values. */
    PrintStream out;
    /** Standard error as UTF-8. */
    PrintStream err;
    private RosterClient client;

    @Override
    public final Integer call() throws Exception {
        out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        try {
            return run();
        } catch (UsageException e) {
            err.println(e.getMessage());
            return 2;
        } catch (SetupException e) {
            err.println("Error connecting to Consul agent: " + e.getMessage());
            return 1;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command's work; returns the exit code. */
    abstract int run() throws Exception;

    /** The client for the agent the flags name (created on first use). */
    RosterClient client() {
        if (client == null) {
            client = http.client();
        }
        return client;
    }

    /** Prints {@code message} on stderr and returns exit code 1. */
    int fail(String message) {
        err.println(message);
        return 1;
    }

    /** A usage mistake with Consul's message; {@link #call} prints it and exits 2. */
    static UsageException usage(String message) {
        return new UsageException(message);
    }

    /**
     * An agent error as Consul's api package words it: {@code Unexpected response code: 500 (body)}
     * for an HTTP error, or what went wrong on the way when there was no answer.
     */
    static String describe(RosterException e) {
        if (e.status() > 0) {
            String m = e.getMessage();
            String prefix = e.status() + " ";
            String body = m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
            return "Unexpected response code: " + e.status() + " (" + body + ")";
        }
        String m = e.getMessage() == null ? "" : e.getMessage();
        if (m.endsWith(": null") || m.endsWith(":")) {
            m = m.substring(0, m.lastIndexOf(':')) + ": " + cause(e.getCause());
        }
        return tlsWording(m);
    }

    /** TLS failures in Go's words, without the JDK's class names. */
    static String tlsWording(String m) {
        if (m.contains("unable to find valid certification path")) {
            m = m.replaceAll("(\\(certificate_unknown\\) )?PKIX path building failed: .*", "x509: certificate signed by unknown authority");
        }
        if (m.contains("Received fatal alert: bad_certificate") || m.contains("certificate_required")) {
            m = m.replaceAll("\\(?[a-z_]*\\)? ?Received fatal alert: .*", "remote error: tls: bad certificate (does the agent require a client certificate? see -client-cert)");
        }
        return m.replaceAll("\\(certificate_unknown\\) ", "").replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Z]\\w*(Exception|Error): ", "");
    }

    private static String cause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException) {
                return "connection refused";
            }
            if (c instanceof HttpTimeoutException) {
                return "timed out";
            }
            if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
                return "no such host";
            }
            if (c.getMessage() != null) {
                return c.getMessage();
            }
        }
        return t == null ? "failed" : t.getClass().getSimpleName();
    }

    /** Consul's "Too many arguments" check. */
    static void maxArgs(java.util.List<String> args, int max) {
        if (args.size() > max) {
            throw usage("Too many arguments (expected " + max + ", got " + args.size() + ")");
        }
    }

    /** A usage mistake: printed as is, exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    /** The client could not be set up (bad address, unreadable token file): exit code 1. */
    static final class SetupException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SetupException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses like Go's {@code flag} package: options end at the first positional argument. Named by
     * every client command's {@code @Command(modelTransformer = ...)}.
     */
    static final class GoFlags implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            spec.parser().stopAtPositional(true);
            return spec;
        }
    }
}
