package io.roster.agent.checks;

import io.roster.api.Durations;

/**
 * An alias check: mirrors the worst status of another service's (or node's) checks, as the
 * {@link AliasResolver} reports it. Passing shows {@code All checks passing.}; warning or critical
 * names what it mirrors; not found (null) is critical {@code No checks found.}; a resolver failure is
 * critical {@code Failure checking aliased node or service: ...} (Consul's words).
 */
final class AliasProbe implements Probe {
    private final AliasResolver resolver;
    private final String node;
    private final String service;

    AliasProbe(AliasResolver resolver, String node, String service) {
        this.resolver = resolver;
        this.node = node == null || node.isEmpty() ? null : node;
        this.service = service == null || service.isEmpty() ? null : service;
    }

    @Override
    public Result run() {
        String status;
        try {
            status = resolver.status(node, service);
        } catch (RuntimeException e) {
            return Result.critical("Failure checking aliased node or service: " + GoErrors.message(e, e.toString()));
        }
        if (status == null) {
            return Result.critical("No checks found.");
        }
        if (CheckStatus.PASSING.equals(status)) {
            return Result.passing("All checks passing.");
        }
        String what = (service != null ? "service " + Durations.quote(service) + (node != null ? " on " : "") : "")
                + (node != null ? "node " + Durations.quote(node) : "");
        String shown = CheckStatus.WARNING.equals(status) ? CheckStatus.WARNING : CheckStatus.CRITICAL;
        return new Result(shown, "Aliased " + what + " is " + status + ".");
    }
}
