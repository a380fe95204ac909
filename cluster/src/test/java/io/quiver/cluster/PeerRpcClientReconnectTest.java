package io.quiver.cluster;

import com.alipay.sofa.jraft.rpc.RpcContext;
import com.alipay.sofa.jraft.rpc.RpcProcessor;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import com.alipay.sofa.jraft.util.Endpoint;
import com.alipay.sofa.jraft.util.RpcFactoryHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A connection that outlived its stopped node (bolt closes a stopping server's connections, but one accepted while
 * the server socket closes stays open on the shared worker threads) answers every request "server busy", because the
 * stopped node's request executor is shut down. The client must replace it by a new connection, which reaches the node
 * restarted on the same port; before, the restarted node stayed unreachable through it (the cause of a DataPlane test
 * that waited in vain for a recovery).
 */
class PeerRpcClientReconnectTest {

    @Test
    void aConnectionToAStoppedNodeIsReplacedByOneToTheRestartedNode(@TempDir Path dir) throws Exception {
        int port = TestCluster.freePort();
        Endpoint target = new Endpoint("127.0.0.1", port);
        ClusterNodeOptions options = ClusterNodeOptions.of(dir, TestCluster.freePort());
        options = new ClusterNodeOptions(options.storageDir(), options.p2pHost(), options.p2pPort(), options.uri(), null,
                options.nodeType(), options.snapshotIntervalSecs(), options.electionTimeoutMs(), Duration.ofMillis(800),
                options.operationTimeout(), options.logStorage(), 0);
        PeerRpcClient client = new PeerRpcClient(options, 1, new Endpoint("127.0.0.1", options.p2pPort()), null, null,
                new PeerSendFailures(new PeerAddresses(1, new Endpoint("127.0.0.1", options.p2pPort()), ClusterMetadata::empty)),
                () -> false);
        ExecutorService stoppedExecutor = Executors.newSingleThreadExecutor();
        stoppedExecutor.shutdown();
        // the stopped node: a server that leaves its accepted connections open when it stops, whose executor refuses
        RpcServer stopped = new BoltRpcServer(new com.alipay.remoting.rpc.RpcServer(port, false, false));
        AtomicInteger servedByStopped = new AtomicInteger();
        stopped.registerProcessor(joinProcessor(stoppedExecutor, servedByStopped));
        stopped.init(null);
        RpcServer restarted = null;
        try {
            // its connection is open and refuses everything
            assertThrows(IOException.class, () -> client.join(target));
            stopped.shutdown();
            AtomicInteger servedByRestarted = new AtomicInteger();
            ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
            restarted = startOn(target, joinProcessor(workers, servedByRestarted));
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> client.join(target),
                    "the restarted node stays unreachable through the old connection");
            assertEquals(1, servedByRestarted.get());
            assertEquals(0, servedByStopped.get());
            workers.shutdownNow();
        } finally {
            if (restarted != null) {
                restarted.shutdown();
            }
            client.close();
        }
    }

    /**
     * A server on {@code target}'s port, started once the stopped server has let the port go: bolt closes a server's
     * socket without waiting, so binding at once may fail; tried again every 50 ms for up to 10 seconds.
     */
    private static RpcServer startOn(Endpoint target, RpcProcessor<?> processor) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            RpcServer server = RpcFactoryHelper.rpcFactory().createRpcServer(target);
            server.registerProcessor(processor);
            try {
                server.init(null);
                return server;
            } catch (IllegalStateException portStillBound) {
                if (System.nanoTime() > deadline) {
                    throw portStillBound;
                }
                Thread.sleep(50);
            }
        }
    }

    private static RpcProcessor<ClusterRpc.JoinRequest> joinProcessor(Executor executor, AtomicInteger served) {
        return new RpcProcessor<>() {
            @Override
            public void handleRequest(RpcContext context, ClusterRpc.JoinRequest request) {
                served.incrementAndGet();
                context.sendResponse(ClusterRpc.Response.ok());
            }

            @Override
            public String interest() {
                return ClusterRpc.JoinRequest.class.getName();
            }

            @Override
            public Executor executor() {
                return executor;
            }
        };
    }
}
