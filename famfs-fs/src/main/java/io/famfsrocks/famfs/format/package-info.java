/**
 * The famfs on-media format (version 48, OMF 2.2): one final class per struct with its
 * {@code SIZE}, named field offsets, and a symmetric {@code decode} / {@code encodeTo}.
 * Nothing outside this package interprets raw device bytes.
 *
 * <p>All structs are little-endian; UUIDs are stored in RFC-4122 byte order; every CRC is
 * the standard CRC-32 ({@link java.util.zip.CRC32}) over the byte range its Javadoc names,
 * stored zero-extended in 8 bytes. Unset bytes are zero: the CRCs cover padding.
 *
 * <p>Depends on: {@code io.famfsrocks.famfs} (exceptions) only. All classes are immutable
 * and thread-safe.
 */
package io.famfsrocks.famfs.format;
