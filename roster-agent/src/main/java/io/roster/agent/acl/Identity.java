package io.roster.agent.acl;

/**
 * Who a request runs as: the token's AccessorID (never its secret: this is what errors and logs
 * name) and what it may do. {@code accessorId} is empty for identities that are not stored
 * tokens (ACLs off, the agent recovery token).
 */
public record Identity(String accessorId, Authorizer authz) {
    /** ACLs off: everything allowed, no token. */
    public static final Identity OPEN = new Identity("", Authorizer.MANAGE);
}
