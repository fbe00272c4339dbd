package io.cdpaccess.source.roster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Reads delimited text record by record, as RFC 4180 says: a field may be quoted, a quote inside
 * one is written twice, and delimiters and line breaks inside quotes are text. Lines end in
 * CRLF, LF or CR; empty lines are skipped; a BOM at the start is dropped.
 *
 * <p>Written for large files: bytes are decoded a block at a time, strictly (a byte that is not
 * text in the encoding stops the read at the exact line where it is, rather than becoming
 * U+FFFD in a username), and a field becomes a {@code String} only when its column is wanted, so
 * the columns nobody reads cost a copy into a reused buffer and nothing more.
 *
 * <p>A quote in the middle of an unquoted field is kept as text (exports write {@code 6" tall});
 * text after a closing quote, and a quoted field never closed, are errors.
 */
final class CsvReader {

    private static final int BLOCK = 1 << 16;

    private final InputStream bytes;
    private final CharsetDecoder decoder;
    private final String encoding;
    private final char delimiter;
    private final ByteBuffer in = ByteBuffer.allocate(BLOCK);
    private final CharBuffer chars = CharBuffer.allocate(BLOCK);
    private boolean endOfBytes;
    /** Every byte decoded and the decoder flushed: nothing more will come. */
    private boolean decoded;

    private boolean atStart = true;
    /** Set when the decoder met bytes that are not text: reported once the text before them is read. */
    private String undecodable;

    private static final int NONE = -2;

    /** A character read past a lone CR, to be read again. */
    private int pushedBack = NONE;

    private char[] field = new char[64];
    private int fieldLength;

    /** The line the current record starts on, and the line the reader is on (1-based). */
    private long recordLine;

    private long line = 1;

    CsvReader(InputStream bytes, Charset encoding, char delimiter) {
        this.bytes = bytes;
        this.encoding = encoding.name();
        this.decoder = encoding.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        this.delimiter = delimiter;
        chars.flip();
    }

    /** What to do with the fields of a record, one at a time. */
    interface Fields {
        /** Whether field {@code index} (0-based) is wanted as a string. */
        boolean wanted(int index);

        /** Field {@code index}'s text; called only for wanted fields. */
        void field(int index, String text) throws RosterFormatException;
    }

    /** The line the last record read started on. */
    long recordLine() {
        return recordLine;
    }

    /**
     * Reads one record, handing wanted fields to {@code fields}.
     *
     * @return the number of fields in the record, or -1 at the end of the file
     * @throws RosterFormatException with the line (and column) of a quote never closed, text
     *     after a closing quote, or bytes that are not text in the encoding
     */
    int next(Fields fields, String file) throws IOException, RosterFormatException {
        int c = read(file);
        while (c == '\n' || c == '\r') { // empty lines
            newline(c, file);
            c = read(file);
        }
        if (c < 0) {
            return -1;
        }
        recordLine = line;
        int index = 0;
        while (true) {
            fieldLength = 0;
            boolean wanted = fields.wanted(index);
            if (c == '"') {
                long openedOn = line;
                while (true) {
                    c = read(file);
                    if (c < 0) {
                        throw new RosterFormatException(file + " line " + openedOn + ", column " + (index + 1)
                                + ": a quoted field is never closed (a \" is missing, or a quote inside it is not"
                                + " written twice)");
                    }
                    if (c == '"') {
                        c = read(file);
                        if (c != '"') {
                            break;
                        }
                    } else if (c == '\n') {
                        line++;
                    }
                    if (wanted) {
                        append((char) c);
                    }
                }
                if (c >= 0 && c != delimiter && c != '\n' && c != '\r') {
                    throw new RosterFormatException(file + " line " + line + ", column " + (index + 1)
                            + ": text after the closing quote of a quoted field (quotes inside one are written"
                            + " twice: \"\")");
                }
            } else {
                while (c >= 0 && c != delimiter && c != '\n' && c != '\r') {
                    if (wanted) {
                        append((char) c);
                    }
                    c = read(file);
                }
            }
            if (wanted) {
                fields.field(index, new String(field, 0, fieldLength));
            }
            index++;
            if (c == delimiter) {
                c = read(file);
                continue;
            }
            if (c == '\n' || c == '\r') {
                newline(c, file);
            }
            return index;
        }
    }

    /** Past a line end that {@code c} starts, CRLF as one. */
    private void newline(int c, String file) throws IOException, RosterFormatException {
        line++;
        if (c == '\r') {
            int next = read(file);
            if (next != '\n') {
                pushedBack = next;
            }
        }
    }

    private void append(char c) {
        if (fieldLength == field.length) {
            field = java.util.Arrays.copyOf(field, field.length * 2);
        }
        field[fieldLength++] = c;
    }

    private int read(String file) throws IOException, RosterFormatException {
        if (pushedBack != NONE) {
            int c = pushedBack;
            pushedBack = NONE;
            return c;
        }
        if (!chars.hasRemaining() && !fill(file)) {
            return -1;
        }
        char c = chars.get();
        if (atStart) {
            atStart = false;
            if (c == '\uFEFF') {
                return read(file);
            }
        }
        return c;
    }

    private boolean fill(String file) throws IOException, RosterFormatException {
        while (true) {
            if (undecodable != null) {
                throw new RosterFormatException(file + " line " + line + ": " + undecodable);
            }
            if (decoded) {
                return false;
            }
            chars.clear();
            if (!endOfBytes) {
                int n = bytes.read(in.array(), in.position(), in.remaining());
                if (n < 0) {
                    endOfBytes = true;
                } else {
                    in.position(in.position() + n);
                }
            }
            in.flip();
            CoderResult result = decoder.decode(in, chars, endOfBytes);
            if (result.isError()) {
                undecodable = "bytes that are not " + encoding + " text (" + hex(in, result.length())
                        + "); set the source's encoding: to the file's (UTF-8, ISO-8859-1 or windows-1252)";
            } else if (endOfBytes && !in.hasRemaining()) {
                if (decoder.flush(chars).isError()) {
                    undecodable = "the file ends inside a character (not " + encoding + " text)";
                }
                decoded = true;
            }
            in.compact();
            chars.flip();
            if (chars.hasRemaining()) {
                return true;
            }
        }
    }

    private static String hex(ByteBuffer in, int length) {
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < Math.min(length, 4); i++) {
            h.append(i == 0 ? "" : " ")
                    .append(String.format(java.util.Locale.ROOT, "0x%02X", in.get(in.position() + i)));
        }
        return h.toString();
    }
}
