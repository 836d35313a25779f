package io.roster.agent.rpc;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.ratis.thirdparty.io.grpc.Server;
import org.apache.ratis.thirdparty.io.grpc.ServerServiceDefinition;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyServerBuilder;
import org.apache.ratis.thirdparty.io.netty.channel.EventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.nio.NioEventLoopGroup;
import org.apache.ratis.thirdparty.io.netty.channel.socket.nio.NioServerSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server RPC on its own gRPC server, for a dev agent (no Raft, so no Ratis server to share the
 * port with): client agents may join a dev agent and forward to it as to a server. A cluster
 * server serves the same service inside Ratis' gRPC server instead.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RpcServer.class);
    private final Server server;
    private final EventLoopGroup loop;

    private RpcServer(Server server, EventLoopGroup loop) {
        this.server = server;
        this.loop = loop;
    }

    /**
     * Serves {@code service} on {@code host:port}; when {@code anyPortIfTaken} and the port is in
     * use (several dev agents on one machine), on a free port instead, with a warning.
     */
    public static RpcServer start(String host, int port, boolean anyPortIfTaken, ServerServiceDefinition service) throws IOException {
        AtomicInteger n = new AtomicInteger();
        EventLoopGroup loop = new NioEventLoopGroup(1, r -> {
            Thread t = new Thread(r, "roster-rpc-server-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            try {
                return new RpcServer(build(host, port, service, loop).start(), loop);
            } catch (IOException e) {
                if (!anyPortIfTaken || !(e instanceof BindException || e.getCause() instanceof BindException)) {
                    throw e;
                }
                LOG.warn("server RPC: port {} is taken ({}); using a free port instead (set ports.server to choose one)",
                        port, e.getMessage());
                return new RpcServer(build(host, 0, service, loop).start(), loop);
            }
        } catch (IOException | RuntimeException e) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    private static Server build(String host, int port, ServerServiceDefinition service, EventLoopGroup loop) {
        return NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .bossEventLoopGroup(loop).workerEventLoopGroup(loop).channelType(NioServerSocketChannel.class)
                .directExecutor() // the service hands every call to a virtual thread at once
                .maxInboundMessageSize(RpcProtocol.MAX_MESSAGE)
                .addService(service).build();
    }

    /** The port actually bound. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
