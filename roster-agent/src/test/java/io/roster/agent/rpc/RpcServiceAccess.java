package io.roster.agent.rpc;

/** Test access to the server RPC's package-private checks. */
public final class RpcServiceAccess {
    private RpcServiceAccess() {
    }

    public static String refusal(String pathQuery) {
        return RpcService.refusal(pathQuery);
    }
}
