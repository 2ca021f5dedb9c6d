package dev.mizzen.ingest.file;

import java.util.Arrays;

/**
 * A manifest file as it was read: its bytes, or, for a file over {@link
 * ManifestFiles#MAX_FILE_BYTES}, only its size, since such a file is never read.
 *
 * @param bytes the content; null when the file is over the limit
 * @param size the file's size in bytes
 */
record FileContent(byte[] bytes, long size) {

  static FileContent of(byte[] bytes) {
    return new FileContent(bytes, bytes.length);
  }

  static FileContent overLimit(long size) {
    return new FileContent(null, size);
  }

  boolean isOverLimit() {
    return bytes == null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FileContent other
        && size == other.size
        && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(size) + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return (isOverLimit() ? "unread, " : "") + size + " bytes";
  }
}
