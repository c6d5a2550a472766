package io.famfsrocks.famfs.format;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.famfsrocks.famfs.fs.CreateOptions;
import io.famfsrocks.famfs.fs.Famfs;
import io.famfsrocks.famfs.fs.FamfsVolume;
import io.famfsrocks.famfs.fs.MasterVolume;
import io.famfsrocks.famfs.fs.Mkfs;
import io.famfsrocks.famfs.fs.OpenOptions;
import io.famfsrocks.famfs.testing.TestDevices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reference-written image in the test resource {@code famfs-golden-v48/}: our reader
 * decodes it to exactly {@code expected.json}, and our writer, replaying the same
 * operations with the same identities and extents, writes the same bytes.
 */
class GoldenImageTest {
    /** The fixture, copied into this module's test resources; see its README.md. */
    static final String FIXTURE = "/famfs-golden-v48/";
    static byte[] image;
    static JsonNode expected;

    static InputStream resource(String name) {
        InputStream in = GoldenImageTest.class.getResourceAsStream(FIXTURE + name);
        if (in == null) {
            throw new IllegalStateException("test resource " + FIXTURE + name + " is missing");
        }
        return in;
    }

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = new GZIPInputStream(resource("image-first-10MiB.bin.gz"))) {
            image = in.readAllBytes();
        }
        try (InputStream in = resource("expected.json")) {
            expected = new ObjectMapper().readTree(in);
        }
    }

    static long num(JsonNode n) {
        String s = n.asText();
        if (s.startsWith("0x")) {
            return Long.parseUnsignedLong(s.substring(2), 16);
        }
        if (s.startsWith("0o")) {
            return Long.parseLong(s.substring(2), 8);
        }
        return n.asLong();
    }

    @Test
    void superblockDecodesToExpected() {
        JsonNode e = expected.get("superblock");
        Superblock sb = Superblock.decode(ByteBuffer.wrap(image, 0, Superblock.SIZE).slice(), 48);
        assertThat(ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(num(e.get("magic")));
        assertThat(sb.version()).isEqualTo(num(e.get("version")));
        assertThat(sb.logOffset()).isEqualTo(num(e.get("log_offset")));
        assertThat(sb.logLen()).isEqualTo(num(e.get("log_len")));
        assertThat(sb.allocUnit()).isEqualTo(num(e.get("alloc_unit")));
        assertThat(sb.fsUuid()).hasToString(e.get("fs_uuid").asText());
        assertThat(sb.devUuid()).hasToString(e.get("dev_uuid").asText());
        assertThat(sb.systemUuid()).hasToString(e.get("system_uuid").asText());
        assertThat(sb.crc()).isEqualTo(num(e.get("crc")));
        assertThat(sb.deviceSize()).isEqualTo(num(e.get("device_size")));
        assertThat(sb.deviceName()).isEqualTo(e.get("device_name").asText());
        assertThat(ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(Superblock.OFF_OMF_MAJOR))
                .isEqualTo(e.get("omf_major").asInt());
    }

    @Test
    void logHeaderDecodesToExpected() {
        JsonNode e = expected.get("log");
        LogHeader h = LogHeader.decode(ByteBuffer.wrap(image, (int) FamfsLayout.LOG_OFFSET, LogHeader.SIZE).slice(),
                num(e.get("len")));
        assertThat(h.logLen()).isEqualTo(num(e.get("len")));
        assertThat(h.lastIndex()).isEqualTo(num(e.get("last_index")));
        assertThat(h.crc()).isEqualTo(num(e.get("crc")));
        assertThat(h.nextSeqnum()).isEqualTo(num(e.get("next_seqnum")));
        assertThat(h.nextIndex()).isEqualTo(num(e.get("next_index")));
    }

    @Test
    void everyEntryDecodesToExpected() {
        for (JsonNode e : expected.get("entries")) {
            long i = e.get("index").asLong();
            ByteBuffer raw = entryBytes(image, i);
            LogEntry entry = LogEntry.decode(raw, i);
            assertThat(ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN)
                    .getLong((int) FamfsLayout.logEntryOffset(i))).isEqualTo(num(e.get("seqnum")));
            assertThat(LogEntry.storedCrc(raw)).isEqualTo(num(e.get("crc")));
            assertThat(entry.path()).isEqualTo(e.get("path").asText());
            if (entry instanceof LogEntry.MkdirEntry d) {
                assertThat(e.get("type").asText()).isEqualTo("mkdir");
                assertThat(d.uid()).isEqualTo(e.get("uid").asInt());
                assertThat(d.gid()).isEqualTo(e.get("gid").asInt());
                assertThat((long) d.mode()).isEqualTo(num(e.get("mode")));
                continue;
            }
            LogEntry.FileEntry f = (LogEntry.FileEntry) entry;
            assertThat(e.get("type").asText()).isEqualTo("file");
            assertThat(f.size()).isEqualTo(num(e.get("size")));
            assertThat(f.flags()).isEqualTo(e.get("flags").asInt());
            assertThat(f.uid()).isEqualTo(e.get("uid").asInt());
            assertThat(f.gid()).isEqualTo(e.get("gid").asInt());
            assertThat((long) f.mode()).isEqualTo(num(e.get("mode")));
            assertThat(f.layout()).isEqualTo(expectedLayout(e));
        }
    }

    static FileLayout expectedLayout(JsonNode e) {
        if (e.has("interleaved")) {
            JsonNode il = e.get("interleaved");
            List<Extent> strips = extents(il.get("strips"));
            assertThat(strips).hasSize((int) num(il.get("nstrips")));
            return new FileLayout.Interleaved(num(il.get("chunk_size")), strips);
        }
        return new FileLayout.Simple(extents(e.get("simple_extents")));
    }

    static List<Extent> extents(JsonNode arr) {
        List<Extent> out = new ArrayList<>();
        for (JsonNode x : arr) {
            out.add(new Extent(x.get("devindex").asLong(), num(x.get("offset")), num(x.get("length"))));
        }
        return out;
    }

    static ByteBuffer entryBytes(byte[] img, long i) {
        return ByteBuffer.wrap(img, (int) FamfsLayout.logEntryOffset(i), LogEntry.SIZE).slice();
    }

    /** The whole image, through the volume: replay sees exactly the fixture's tree. */
    @Test
    void volumeOpensReferenceImage() throws IOException {
        Path copy = Path.of("/dev/shm", "famfs-golden-" + UUID.randomUUID());
        try {
            Files.write(copy, image);
            try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
                f.setLength(4L << 30); // sparse: the image records a 4 GiB device
            }
            try (FamfsVolume v = Famfs.open(copy, OpenOptions.defaults().withSystemUuid(UUID.randomUUID().toString()))) {
                assertThat(v.isMaster()).isFalse();
                assertThat(v.replayError()).isNull();
                assertThat(v.appliedEntries()).isEqualTo(8);
                assertThat(v.stat("dir1/a/b/file2")).isNotNull();
                assertThat(v.openFile("striped").size()).isEqualTo(20L << 20);
                assertThat(v.list("dir1")).extracting(n -> n.path()).containsExactly("dir1/a", "dir1/hello.txt");
            }
        } finally {
            Files.deleteIfExists(copy);
        }
    }

    /** Same identities, same operations, same extents: byte-identical metadata. */
    @Test
    void writerReproducesReferenceBytes() {
        JsonNode sbj = expected.get("superblock");
        try (TestDevices dev = TestDevices.blank(4L << 30)) {
            String master = sbj.get("system_uuid").asText();
            Mkfs.format(dev.path, Mkfs.Options.defaults().withSystemUuid(master).withIdentity(
                    UUID.fromString(sbj.get("fs_uuid").asText()), UUID.fromString(sbj.get("dev_uuid").asText()),
                    sbj.get("device_name").asText()));
            try (MasterVolume v = Famfs.openMaster(dev.path, OpenOptions.defaults().withSystemUuid(master))) {
                for (JsonNode e : expected.get("entries")) {
                    int uid = e.get("uid").asInt();
                    int gid = e.get("gid").asInt();
                    CreateOptions o = CreateOptions.file().withMode((int) num(e.get("mode"))).withOwner(uid, gid);
                    if (e.get("type").asText().equals("mkdir")) {
                        v.mkdir(e.get("path").asText(), o);
                    } else {
                        v.createWithLayout(e.get("path").asText(), num(e.get("size")), o, expectedLayout(e));
                    }
                }
                ByteBuffer sb = v.device().window(0, Superblock.SIZE);
                assertThat(bytes(sb)).isEqualTo(java.util.Arrays.copyOfRange(image, 0, Superblock.SIZE));
                int logStart = (int) FamfsLayout.LOG_OFFSET;
                int logBytes = LogHeader.SIZE + 8 * LogEntry.SIZE;
                assertThat(bytes(v.device().window(logStart, logBytes)))
                        .isEqualTo(java.util.Arrays.copyOfRange(image, logStart, logStart + logBytes));
                // Everything else in the metadata area is zero in both.
                assertThat(bytes(v.device().window(0, (int) (FamfsLayout.LOG_OFFSET + (8 << 20)))))
                        .isEqualTo(image);
            }
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
