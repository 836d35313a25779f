package io.roster.agent.acl;

/** An ACL refusal or bad ACL input, with Consul's status and one-line text (never a secret). */
public final class AclError extends RuntimeException {
    private final int status;

    public AclError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    /** Consul's {@code acl.ErrNotFound} over HTTP: an unknown or expired token, or a missing ACL object. */
    public static AclError notFound() {
        return new AclError(403, "ACL not found");
    }

    /** Consul's {@code acl.ErrDisabled} over HTTP. */
    public static AclError disabled() {
        return new AclError(401, "ACL support disabled");
    }

    /**
     * Consul's {@code PermissionDeniedError}: {@code Permission denied: token with AccessorID 'a'
     * lacks permission 'key:write' on "foo"} (no {@code on ...} for resource-wide permissions).
     */
    public static AclError denied(String accessorId, String resource, String level, String name) {
        StringBuilder b = new StringBuilder("Permission denied: ");
        b.append(accessorId.isEmpty() ? "provided token" : "token with AccessorID '" + accessorId + "'");
        b.append(" lacks permission '").append(resource).append(':').append(level).append('\'');
        if (name != null && !name.isEmpty()) {
            b.append(" on ").append('"').append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return new AclError(403, b.toString());
    }
}
