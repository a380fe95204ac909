package io.quiver.hnsw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/**
 * {@link HugePageMemory}: zeroed, writable, aligned memory of the asked size, released with its arena; small regions
 * come from the arena itself. Whether the kernel backs it with huge pages is not asserted (it may decline).
 */
class HugePageMemoryTest {

    @Test
    void largeRegionIsZeroedAlignedAndFreedWithItsArena() {
        long bytes = (9L << 20) + 12345;
        MemorySegment seg;
        try (Arena arena = Arena.ofConfined()) {
            seg = HugePageMemory.allocate(bytes, arena);
            assertEquals(bytes, seg.byteSize());
            assertEquals(0, seg.address() % (HugePageMemory.isAvailable() ? HugePageMemory.HUGE_PAGE : 64));
            for (long off = 0; off < bytes; off += 4093) {
                assertEquals(0, seg.get(ValueLayout.JAVA_BYTE, off));
            }
            for (long off = 0; off + 8 <= bytes; off += 1 << 16) {
                seg.set(ValueLayout.JAVA_LONG_UNALIGNED, off, off * 31);
            }
            for (long off = 0; off + 8 <= bytes; off += 1 << 16) {
                assertEquals(off * 31, seg.get(ValueLayout.JAVA_LONG_UNALIGNED, off));
            }
            seg.set(ValueLayout.JAVA_BYTE, bytes - 1, (byte) 7);
            assertEquals(7, seg.get(ValueLayout.JAVA_BYTE, bytes - 1));
        }
        assertFalse(seg.scope().isAlive());
        MemorySegment closed = seg;
        assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void smallRegionComesFromTheArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = HugePageMemory.allocate(1000, arena);
            assertEquals(1000, seg.byteSize());
            assertEquals(0, seg.address() % 64);
            assertEquals(0, seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 992));
        }
    }
}
