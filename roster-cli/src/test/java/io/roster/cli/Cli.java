package io.roster.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs {@code roster ...} in this JVM, as {@code Main.main} would but without exiting, capturing stdout and stderr. */
final class Cli {
    private Cli() {
    }

    /** What a command did: its exit code, and what it wrote (stdout also as bytes, for raw values). */
    record Result(int code, byte[] outBytes, String err) {
        String out() {
            return new String(outBytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out() + "--- stderr\n" + err;
        }
    }

    static Result run(String... args) {
        return runWithStdin(new byte[0], args);
    }

    /** Runs with {@code stdin} as standard input. Serialized: System.out/err/in are global. */
    static synchronized Result runWithStdin(byte[] stdin, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setIn(new ByteArrayInputStream(stdin));
        try {
            int code = Main.commandLine().execute(args);
            System.out.flush();
            System.err.flush();
            return new Result(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    /**
     * Runs without capturing, for commands that run in a background thread while the test goes on
     * (lock, watch); they must not print to stdout (their children write to files instead).
     */
    static int execute(String... args) {
        return Main.commandLine().execute(args);
    }
}
