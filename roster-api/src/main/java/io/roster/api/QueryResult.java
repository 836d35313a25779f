package io.roster.api;

/** A read's value with the metadata headers every Consul read answers. */
public record QueryResult<T>(T value, long index, boolean knownLeader, long lastContact) {
}
