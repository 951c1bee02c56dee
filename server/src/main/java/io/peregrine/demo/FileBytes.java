package io.peregrine.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Reads a range of a file the sandbox has already resolved. */
final class FileBytes {

    private FileBytes() {
    }

    /**
     * Up to {@code length} bytes of {@code file} from {@code offset}; fewer at the end of the file.
     * The file is opened without following a link, so one swapped in after the path was checked
     * cannot redirect the read.
     */
    static byte[] read(Path file, long offset, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            channel.position(offset);
            // one read may return fewer bytes than asked for before the end of the file
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    break;
                }
            }
        }
        byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }
}
