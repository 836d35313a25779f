package io.roster.tools;

import io.roster.tools.ctmpl.Log;
import io.roster.tools.shard.ShardConfig;
import io.roster.tools.shard.ShardProxy;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code roster shard-proxy}: runs {@link ShardProxy} until SIGTERM/SIGINT. Exit codes: 0 stopped, 1 an error. */
@Command(name = "shard-proxy", sortOptions = false,
        customSynopsis = "roster shard-proxy -config FILE [-listen ADDR] [-consul-addr ADDR]",
        description = {"Consistent-hash proxy in front of Prometheus Pushgateways (dynamic-sharding).",
                "Registers each Pushgateway of the config as service \"pushgateway\" with an HTTP check, watches the passing "
                        + "instances with a blocking query, and forwards every POST/PUT/DELETE /metrics/job/... to the instance "
                        + "that owns the path; when one fails its jobs move to the others, and back when it returns. "
                        + "GET /metrics/job/... tells where a path goes; /-/healthy; /metrics has the proxy's own metrics."},
        footer = {"", "Examples:",
                "  roster shard-proxy -config /etc/roster/shard-proxy.yml",
                "  echo 'jobs_done 1' | curl --data-binary @- http://127.0.0.1:9292/metrics/job/backup/instance/db1",
                "", "Config (YAML, dynamic-sharding's format):",
                "  consul_server: {addr: 127.0.0.1:8500, register_service_name: pushgateway, check_interval: 5s}",
                "  http_listen_addr: :9292",
                "  pushgateway: {port: 9091, servers: [10.0.0.1, 10.0.0.2, 10.0.0.3]}"})
public final class ShardProxyCommand implements Callable<Integer> {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-config", "--config", "-config.file", "--config.file"}, paramLabel = "FILE", required = true,
            description = "The YAML config file.")
    Path config;
    @Option(names = {"-listen", "--listen"}, paramLabel = "ADDR", description = "Listen address; wins over http_listen_addr.")
    String listen;
    @Option(names = {"-consul-addr", "--consul-addr", "-http-addr", "--http-addr"}, paramLabel = "ADDR",
            description = "The agent's HTTP address; wins over consul_server.addr.")
    String address;

    @Override
    public Integer call() throws Exception {
        Log log = new Log(System.err, false);
        ShardProxy.Options o = ShardConfig.read(config, log);
        o = new ShardProxy.Options(address != null ? address : o.consulAddress(), ToolEnv.token(null, o.token()), o.serviceName(),
                listen != null ? listen : o.listen(), o.servers(), o.checkInterval(), o.checkTimeout(), o.deregisterAfter(), log);
        CountDownLatch stop = new CountDownLatch(1);
        try (ShardProxy proxy = new ShardProxy(o).start()) {
            return TemplateCommand.runUntilSignal(() -> {
                stop.await();
                return 0;
            }, stop::countDown);
        }
    }
}
