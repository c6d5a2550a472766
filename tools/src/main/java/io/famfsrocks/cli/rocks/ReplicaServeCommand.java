package io.famfsrocks.cli.rocks;

import io.famfsrocks.cli.CliException;
import io.famfsrocks.cli.ExitCode;
import io.famfsrocks.cli.Verb;
import io.famfsrocks.cli.serve.ReplicaHttpServer;
import io.famfsrocks.rocks.replica.ReplicaConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code replica serve}: a replica that follows the primary and serves over HTTP until
 * SIGTERM or SIGINT, then stops the server, closes the replica and unmounts.
 */
@Command(name = "serve", description = "Keep a replica open, following the primary, and serve it over HTTP.",
        footer = {"", "Endpoints: /get?key=K[&enc=utf8|hex|base64], POST /batch_get {\"keys\":[...]},",
                "/scan?from=K[&to=K]&limit=N[&keys_only=true] (pages: more, next),",
                "/health/live, /health/ready and /health (200 when ready, 503 when stuck or",
                "lagging past --max-lag), /metrics (Prometheus).",
                "With --device given twice or more (a pool) it follows the dataset's epochs.",
                "Stops cleanly (closes the replica, unmounts) on SIGTERM or Ctrl-C.", "",
                "Examples:", "  famfs-rocks replica serve --dataset db1 --device /dev/shm/famfs0 --port 8080",
                "  famfs-rocks replica serve --dataset db1 -D /dev/shm/p0 -D /dev/shm/p1 \\",
                "      --port 8080",
                "  curl 'http://127.0.0.1:8080/get?key=key-00000042'"})
public final class ReplicaServeCommand extends Verb {
    @Mixin
    ReplicaOptions where;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "TCP port (0 picks a free one).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default 127.0.0.1, loopback only).")
    String bind;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "4", description = "HTTP worker threads (default 4).")
    int threads;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "4096",
            description = "Open connections at most; beyond it new ones wait in the accept queue (default 4096).")
    int maxConnections;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "10",
            description = "Close a connection silent this long, mid-request or between requests (default 10).")
    int idleTimeout;

    @Option(names = "--max-lag", paramLabel = "SECONDS", defaultValue = "10",
            description = "Not ready (/health/ready 503) when further behind the newest published version (default 10).")
    double maxLag;

    @Option(names = "--open-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long to wait for the dataset's first version (default 60).")
    int openTimeout;

    @Override
    protected ExitCode run() throws Exception {
        if (port < 0 || port > 65_535) {
            throw new CliException(ExitCode.USAGE, "--port must be from 0 to 65535, got " + port);
        }
        if (threads < 1 || threads > 1024) {
            throw new CliException(ExitCode.USAGE, "--threads must be from 1 to 1024, got " + threads);
        }
        if (maxConnections < 1) {
            throw new CliException(ExitCode.USAGE, "--max-connections must be at least 1, got " + maxConnections);
        }
        if (idleTimeout < 1) {
            throw new CliException(ExitCode.USAGE, "--idle-timeout must be at least 1 second, got " + idleTimeout);
        }
        if (!(maxLag >= 0) || maxLag > 86_400) {
            throw new CliException(ExitCode.USAGE, "--max-lag must be from 0 to 86400 seconds, got " + maxLag);
        }
        InetAddress addr;
        try {
            addr = InetAddress.getByName(bind);
        } catch (java.net.UnknownHostException e) {
            throw new CliException(ExitCode.USAGE, "--bind: unknown address " + bind);
        }
        ReplicaConfig cfg = ReplicaConfig.defaults().withOpenTimeout(Duration.ofSeconds(openTimeout));
        // a dataset that does not exist is NOT_FOUND at once, like get
        ReplicaSession session = ReplicaSession.open(where, context.defaultDevice(), openOptions(), cfg, false);
        ReplicaHttpServer server;
        try {
            server = ReplicaHttpServer.start(new FamfsReplicaReads(where.dataset, session.volume(), session::replica), addr, port,
                    ReplicaHttpServer.Limits.defaults(threads).withMaxConnections(maxConnections)
                            .withIdleTimeoutMillis(idleTimeout * 1000L)
                            .withMaxLagMillis(Math.round(maxLag * 1000)));
        } catch (java.io.IOException e) {
            session.close();
            throw new CliException(ExitCode.IO, "cannot listen on " + bind + ":" + port + ": " + e.getMessage());
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.close();
            session.close();
            stopped.countDown();
        }, "replica-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out().println("serving dataset " + where.dataset + " on http://" + bind + ":" + server.port()
                + " (version " + session.replica().freshness().appliedVersion() + epochNote(session) + ")");
        out().flush();
        stopped.await();
        return ExitCode.OK;
    }

    private static String epochNote(ReplicaSession s) {
        long e = s.replica().epochStatus().epoch();
        return e == 0 ? "" : ", epoch " + e;
    }
}
