package io.roster.agent.http;

/** A handler of one route. It must answer the call exactly once, now or later. */
@FunctionalInterface
public interface Endpoint {
    void handle(Call call) throws Exception;
}
