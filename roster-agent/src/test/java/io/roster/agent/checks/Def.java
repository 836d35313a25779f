package io.roster.agent.checks;

import io.roster.api.CheckDefinition;
import java.util.List;
import java.util.Map;

/** A builder for {@link CheckDefinition} in tests: only the fields a test sets are non-null. */
final class Def {
    String status;
    String http;
    String method;
    Map<String, List<String>> header;
    String body;
    Boolean tlsSkipVerify;
    String tlsServerName;
    String tcp;
    String udp;
    String ttl;
    List<String> args;
    String grpc;
    Boolean grpcUseTls;
    String aliasNode;
    String aliasService;
    String interval;
    String timeout;
    String deregister;
    Integer successBeforePassing;
    Integer failuresBeforeWarning;
    Integer failuresBeforeCritical;

    static Def http(String url) {
        Def d = new Def();
        d.http = url;
        return d.interval("50ms");
    }

    static Def tcp(String addr) {
        Def d = new Def();
        d.tcp = addr;
        return d.interval("50ms");
    }

    static Def udp(String addr) {
        Def d = new Def();
        d.udp = addr;
        return d.interval("50ms");
    }

    static Def ttl(String ttl) {
        Def d = new Def();
        d.ttl = ttl;
        return d;
    }

    static Def script(String... args) {
        Def d = new Def();
        d.args = List.of(args);
        return d.interval("50ms");
    }

    static Def grpc(String target) {
        Def d = new Def();
        d.grpc = target;
        return d.interval("50ms");
    }

    static Def aliasService(String node, String service) {
        Def d = new Def();
        d.aliasNode = node;
        d.aliasService = service;
        return d;
    }

    static Def none() {
        return new Def();
    }

    Def interval(String v) {
        interval = v;
        return this;
    }

    Def timeout(String v) {
        timeout = v;
        return this;
    }

    Def method(String v) {
        method = v;
        return this;
    }

    Def header(Map<String, List<String>> v) {
        header = v;
        return this;
    }

    Def body(String v) {
        body = v;
        return this;
    }

    Def tlsSkipVerify(boolean v) {
        tlsSkipVerify = v;
        return this;
    }

    Def thresholds(Integer successBeforePassing, Integer failuresBeforeWarning, Integer failuresBeforeCritical) {
        this.successBeforePassing = successBeforePassing;
        this.failuresBeforeWarning = failuresBeforeWarning;
        this.failuresBeforeCritical = failuresBeforeCritical;
        return this;
    }

    Def with(java.util.function.Consumer<Def> change) {
        change.accept(this);
        return this;
    }

    CheckDefinition build() {
        return new CheckDefinition(null, null, null, null, status, http, method, header, body, tlsSkipVerify, tlsServerName,
                tcp, udp, ttl, args, grpc, grpcUseTls, aliasNode, aliasService, interval, timeout, deregister,
                successBeforePassing, failuresBeforeWarning, failuresBeforeCritical);
    }
}
