import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * NeoLocal runs Neo4j Community embedded with its Bolt connector on
 * 127.0.0.1, for scripts/neo4j-local and the Go tests. It is not a product:
 * it has no HTTP connector and keeps its memory small.
 *
 * <p>Arguments: --data DIR (the DBMS home: databases, transaction logs, the
 * log), --port N (Bolt; 0 is not allowed). With NEO4J_PASSWORD set (at least 8
 * characters) authentication is on and the user neo4j has that password;
 * otherwise authentication is off.
 *
 * <p>Once Bolt answers a handshake it prints "NEO4J_LOCAL_READY bolt://127.0.0.1:N"
 * on standard output. SIGTERM (or SIGINT) shuts the DBMS down cleanly
 * through a shutdown hook and then it prints "NEO4J_LOCAL_STOPPED".
 */
public final class NeoLocal {
    public static void main(String[] args) throws Exception {
        Path data = null;
        int port = 7687;
        long pagecacheMiB = 64;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]).toAbsolutePath();
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--pagecache-mib" -> pagecacheMiB = Long.parseLong(args[++i]);
                default -> fail("unknown argument " + args[i]);
            }
        }
        if (data == null) {
            fail("--data DIR is required");
        }
        if (port <= 0 || port > 65535) {
            fail("--port must be 1..65535");
        }
        Files.createDirectories(data);
        String password = System.getenv("NEO4J_PASSWORD");
        boolean auth = password != null && !password.isEmpty();
        if (auth && password.length() < 8) {
            fail("NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)");
        }

        long started = System.nanoTime();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(data)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress("127.0.0.1"))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, auth)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMiB))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("NEO4J_LOCAL_STOPPING");
            System.out.flush();
            try {
                dbms.shutdown();
            } finally {
                System.out.println("NEO4J_LOCAL_STOPPED");
                System.out.flush();
                stopped.countDown();
            }
        }, "neo4j-local-shutdown"));

        try {
            if (auth) {
                // Authentication is on: give the built-in user neo4j the
                // password, without the change Neo4j would otherwise require
                // at first login. On a restart it may have it already.
                try {
                    dbms.database("system").executeTransactionally(
                            "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                            Map.of("password", password));
                } catch (RuntimeException e) {
                    if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
                        throw e;
                    }
                }
            }
            waitForBolt(port);
        } catch (Exception e) {
            // Exit (the shutdown hook stops the DBMS) rather than leave a
            // server that is not ready running.
            e.printStackTrace();
            System.exit(1);
        }
        System.out.printf("NEO4J_LOCAL_READY bolt://127.0.0.1:%d (auth %s, %d ms, Neo4j %s)%n", port,
                auth ? "on, user neo4j" : "off", (System.nanoTime() - started) / 1_000_000,
                org.neo4j.kernel.internal.Version.getNeo4jVersion());
        System.out.flush();
        stopped.await();
    }

    /** waitForBolt waits until the Bolt port answers the Bolt handshake. */
    private static void waitForBolt(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(2000);
                OutputStream out = s.getOutputStream();
                // Magic preamble, then four proposed versions: 5.x ranges and 4.4.
                out.write(new byte[] {
                    0x60, 0x60, (byte) 0xB0, 0x17,
                    0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0});
                out.flush();
                int version = new DataInputStream(s.getInputStream()).readInt();
                if (version != 0) {
                    return;
                }
                last = new IllegalStateException("Bolt refused every proposed version");
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(100);
        }
        fail("Bolt on 127.0.0.1:" + port + " did not answer within 60s: " + last);
    }

    private static void fail(String msg) {
        System.err.println("neo4j-local: " + msg);
        System.exit(2);
    }
}
