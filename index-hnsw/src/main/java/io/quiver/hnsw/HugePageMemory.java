package io.quiver.hnsw;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Zeroed anonymous memory for an index (or vector store) that lives in memory rather than in a mapped file, backed by
 * transparent huge pages where Linux offers them: the region is {@code mmap}ed 2 MiB-aligned and marked
 * {@code madvise(MADV_HUGEPAGE)} before it is first touched, so that it faults in as 2 MiB pages even when THP is in
 * the kernel's {@code madvise} mode. A search reads a few hundred records scattered over tens of MB; with 4 KiB pages
 * nearly each one is a TLB miss and a page walk, with 2 MiB pages the whole index fits the TLB.
 * <p>The memory belongs to the given {@link Arena}: it is unmapped when the arena closes. Anywhere the native calls
 * are not available (not Linux, native access denied, {@code mmap} failing), {@link #allocate} falls back to
 * {@code arena.allocate} and logs that once; the kernel may also decline huge pages, which only costs speed. Huge
 * pages do not apply to indexes reopened from files (page-cache mappings). Threadsafe (stateless after class init).
 */
final class HugePageMemory {

    private static final Logger LOG = LoggerFactory.getLogger(HugePageMemory.class);
    static final long HUGE_PAGE = 2L << 20;
    /** Regions smaller than this use ordinary arena memory (a huge page would mostly be waste). */
    private static final long MIN_BYTES = 4L << 20;

    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        String arch = System.getProperty("os.arch", "");
        if (System.getProperty("os.name", "").startsWith("Linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            try {
                Linker linker = Linker.nativeLinker();
                SymbolLookup libc = linker.defaultLookup();
                mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(), FunctionDescriptor.of(
                        ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            } catch (RuntimeException | Error e) {
                LOG.warn("huge pages unavailable, index memory uses ordinary pages: " + e);
                mmap = null;
            }
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private HugePageMemory() {
    }

    /** True when {@link #allocate} maps memory itself (and asks for huge pages) instead of using the arena's. */
    static boolean isAvailable() {
        return MMAP != null;
    }

    /**
     * {@code bytes} of zeroed memory, 64-byte aligned (2 MiB when mapped here), freed when {@code arena} closes.
     */
    static MemorySegment allocate(long bytes, Arena arena) {
        if (MMAP == null || bytes < MIN_BYTES) {
            return arena.allocate(bytes, 64);
        }
        // over-map by one huge page so that a 2 MiB-aligned start exists inside the mapping
        long mapped = roundUp(bytes, HUGE_PAGE) + HUGE_PAGE;
        MemorySegment base;
        try {
            base = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, mapped, PROT_READ_WRITE,
                    MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap of " + mapped + " bytes failed", t);
        }
        if (base.address() == -1L || base.address() == 0L) {
            LOG.warn("mmap of " + mapped + " bytes failed; using ordinary arena memory");
            return arena.allocate(bytes, 64);
        }
        long start = roundUp(base.address(), HUGE_PAGE);
        try {
            int rc = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), roundUp(bytes, HUGE_PAGE),
                    MADV_HUGEPAGE);
            if (rc != 0) {
                LOG.debug("madvise(MADV_HUGEPAGE) declined; the index uses ordinary pages");
            }
        } catch (Throwable t) {
            unmap(base.address(), mapped);
            throw new IllegalStateException("madvise failed", t);
        }
        long baseAddress = base.address();
        return MemorySegment.ofAddress(start).reinterpret(bytes, arena, s -> unmap(baseAddress, mapped));
    }

    private static void unmap(long address, long length) {
        try {
            int rc = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
            if (rc != 0) {
                LOG.warn("munmap of " + length + " bytes at 0x" + Long.toHexString(address) + " failed");
            }
        } catch (Throwable t) {
            LOG.warn("munmap failed: " + t);
        }
    }

    private static long roundUp(long v, long to) {
        return (v + to - 1) / to * to;
    }
}
