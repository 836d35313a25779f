package io.roster.agent.checks;

/** One run's outcome: a status ({@link CheckStatus}) and the output shown with it. */
record Result(String status, String output) {
    static Result passing(String output) {
        return new Result(CheckStatus.PASSING, output);
    }

    static Result warning(String output) {
        return new Result(CheckStatus.WARNING, output);
    }

    static Result critical(String output) {
        return new Result(CheckStatus.CRITICAL, output);
    }
}
