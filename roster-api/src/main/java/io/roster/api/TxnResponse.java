package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The body of {@code PUT /v1/txn}: results on success, errors (and HTTP 409) on a rolled-back transaction. */
public record TxnResponse(@JsonProperty("Results") List<Result> results,
                          @JsonProperty("Errors") List<Error> errors) {

    /** One result: the entry an operation read or wrote (values blanked for writes). */
    public record Result(@JsonProperty("KV") KvPair kv) {
    }

    /** Why operation {@code OpIndex} failed. */
    public record Error(@JsonProperty("OpIndex") int opIndex, @JsonProperty("What") String what) {
    }
}
