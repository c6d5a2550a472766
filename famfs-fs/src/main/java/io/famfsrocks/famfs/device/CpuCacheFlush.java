package io.famfsrocks.famfs.device;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import io.famfsrocks.famfs.ErrorKind;
import io.famfsrocks.famfs.FamfsException;
import jnr.ffi.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The hardware hook for memory that is not cache-coherent (x86-64): a write-back runs
 * {@code clwb} (else {@code clflushopt}, else {@code clflush}) over every cache line of the
 * range and then {@code sfence}; an invalidate runs {@code clflushopt} (else {@code
 * clflush}) and then {@code mfence}, so no later load is served from a line dropped before.
 * These are the instructions the reference famfs issues around its log and file accesses.
 *
 * <p>Java 17 cannot issue them, so two tiny loops of machine code (22 bytes each, in the
 * constants below) are copied into a page of their own, made executable, and called through
 * jffi, one native call per range. Which instruction is used is read from the CPU flags in
 * {@code /proc/cpuinfo}. Chosen with {@code FAMFS_COHERENCE=cpu-flush} or {@code --coherence
 * cpu-flush}; refused (INVALID_ARGUMENT) on another architecture. On coherent memory the
 * instructions are harmless and only cost time; this machine has no non-coherent memory,
 * so only "it runs and the bytes are intact" is tested ({@code CpuCacheFlushTest}).
 * Thread-safe (stateless code).
 */
final class CpuCacheFlush implements CacheCoherence {
    private static final int LINE = 64;
    /** {@code rdi} = first line, {@code rsi} = end; loop "flush [rdi]; rdi += 64; while rdi < rsi"; fence; ret. */
    private static final byte[] LOOP = {
            0x48, 0x39, (byte) 0xf7,             // 0: cmp rdi, rsi
            0x73, 0x0d,                          // 3: jae 18
            0x66, 0x0f, (byte) 0xae, 0x3f,       // 5: clflushopt [rdi]   (patched: clwb / clflush)
            0x48, (byte) 0x83, (byte) 0xc7, 0x40, // 9: add rdi, 64
            0x48, 0x39, (byte) 0xf7,             // 13: cmp rdi, rsi
            0x72, (byte) 0xf3,                   // 16: jb 5
            0x0f, (byte) 0xae, (byte) 0xf8,      // 18: sfence           (patched: mfence)
            (byte) 0xc3,                         // 21: ret
    };
    private static final byte[] CLWB = {0x66, 0x0f, (byte) 0xae, 0x37};
    private static final byte[] CLFLUSHOPT = {0x66, 0x0f, (byte) 0xae, 0x3f};
    /** clflush is 3 bytes; a leading ds prefix (0x3e) keeps the loop's layout. */
    private static final byte[] CLFLUSH = {0x3e, 0x0f, (byte) 0xae, 0x3f};
    private static final byte[] SFENCE = {0x0f, (byte) 0xae, (byte) 0xf8};
    private static final byte[] MFENCE = {0x0f, (byte) 0xae, (byte) 0xf0};

    private static volatile CpuCacheFlush instance;

    private final Function writeBack;
    private final Function invalidate;
    private final String instructions;

    private CpuCacheFlush(Set<String> flags) {
        byte[] wb = flags.contains("clwb") ? CLWB : flags.contains("clflushopt") ? CLFLUSHOPT : CLFLUSH;
        byte[] inv = flags.contains("clflushopt") ? CLFLUSHOPT : CLFLUSH;
        long page = executablePage(loop(wb, SFENCE), loop(inv, MFENCE));
        this.writeBack = new Function(page, Type.SINT64, Type.SINT64, Type.SINT64);
        this.invalidate = new Function(page + 64, Type.SINT64, Type.SINT64, Type.SINT64);
        this.instructions = name(wb) + "+sfence / " + name(inv) + "+mfence";
    }

    static CpuCacheFlush instance() {
        CpuCacheFlush c = instance;
        if (c == null) {
            synchronized (CpuCacheFlush.class) {
                if (instance == null) {
                    String arch = System.getProperty("os.arch");
                    if (!arch.equals("amd64") && !arch.equals("x86_64")) {
                        throw new FamfsException(ErrorKind.INVALID_ARGUMENT, "cache coherence cpu-flush is implemented "
                                + "for x86-64 only, not " + arch);
                    }
                    instance = new CpuCacheFlush(cpuFlags());
                }
                c = instance;
            }
        }
        return c;
    }

    @Override
    public void writeBack(MemoryDevice device, long offset, long length) {
        run(writeBack, device, offset, length);
    }

    @Override
    public void invalidate(MemoryDevice device, long offset, long length) {
        run(invalidate, device, offset, length);
    }

    private static void run(Function f, MemoryDevice device, long offset, long length) {
        if (length <= 0) {
            return;
        }
        long start = (device.memoryAddress() + offset) & ~(long) (LINE - 1);
        long end = device.memoryAddress() + offset + length;
        Invoker.getInstance().invokeLLrL(f, start, end);
    }

    private static byte[] loop(byte[] flush, byte[] fence) {
        byte[] code = LOOP.clone();
        System.arraycopy(flush, 0, code, 5, 4);
        System.arraycopy(fence, 0, code, 18, 3);
        return code;
    }

    /** Copies both loops into a fresh page (at 0 and 64) and makes it read-only and executable. */
    private static long executablePage(byte[] first, byte[] second) {
        LibC c = LibC.INSTANCE;
        Pointer p = c.mmap(null, 4096, LibC.PROT_READ | LibC.PROT_WRITE, 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0);
        if (p == null || p.address() == -1L) {
            throw new FamfsException(ErrorKind.IO, "cannot map a page for the cache flush code: " + LibC.lastError());
        }
        MemoryIO io = MemoryIO.getInstance();
        io.putByteArray(p.address(), first, 0, first.length);
        io.putByteArray(p.address() + 64, second, 0, second.length);
        if (c.mprotect(p, 4096, LibC.PROT_READ | LibC.PROT_EXEC) != 0) {
            throw new FamfsException(ErrorKind.IO, "cannot make the cache flush code executable: " + LibC.lastError());
        }
        return p.address();
    }

    private static Set<String> cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return new java.util.HashSet<>(java.util.Arrays.asList(line.substring(line.indexOf(':') + 1).trim().split("\\s+")));
                }
            }
        } catch (IOException | RuntimeException e) {
            // no flags known: clflush is in every x86-64 CPU
        }
        return Set.of();
    }

    private static String name(byte[] insn) {
        return insn == CLWB ? "clwb" : insn == CLFLUSHOPT ? "clflushopt" : "clflush";
    }

    @Override
    public String toString() {
        return "cpu-flush (" + instructions + ")";
    }
}
