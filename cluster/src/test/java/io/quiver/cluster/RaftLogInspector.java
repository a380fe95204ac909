package io.quiver.cluster;

import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.storage.LogManager;
import java.lang.reflect.Field;

/** Test probe into a running SOFAJRaft node's log manager. Stateless. */
final class RaftLogInspector {
    private RaftLogInspector() {
    }

    /** The first log index a running node keeps (everything before it is covered by its snapshot). */
    static long firstLogIndex(Node node) throws Exception {
        Field field = node.getClass().getDeclaredField("logManager");
        field.setAccessible(true);
        return ((LogManager) field.get(node)).getFirstLogIndex();
    }
}
