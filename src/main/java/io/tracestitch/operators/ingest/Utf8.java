package io.tracestitch.operators.ingest;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Checks raw input bytes before JSON parsing. Jackson checks only the shape of multi-byte
 * sequences, and accepts overlong forms, surrogates and code points above U+10FFFF: it would read
 * such a line as text nobody wrote.
 */
final class Utf8 {

    private static final VarHandle EIGHT_BYTES = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {}

    /** Where the first byte that is not well-formed UTF-8 (RFC 3629) sits, or -1 if none. */
    static int firstInvalid(byte[] bytes) {
        int end = bytes.length;
        int i = 0;
        while (i < end) {
            // Input is nearly all ASCII: skip it eight bytes at a time.
            if (i + 8 <= end && ((long) EIGHT_BYTES.get(bytes, i) & HIGH_BITS) == 0) {
                i += 8;
                continue;
            }
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int continuations;
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                if (lead == 0xE0) {
                    secondMin = 0xA0; // shorter forms are overlong
                } else if (lead == 0xED) {
                    secondMax = 0x9F; // above are the UTF-16 surrogates
                }
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                if (lead == 0xF0) {
                    secondMin = 0x90;
                } else if (lead == 0xF4) {
                    secondMax = 0x8F; // above is past U+10FFFF
                }
            } else {
                return i;
            }
            if (i + continuations >= end) {
                return i;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < secondMin || second > secondMax) {
                return i;
            }
            for (int k = 2; k <= continuations; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return i;
                }
            }
            i += continuations + 1;
        }
        return -1;
    }

    /** Nothing but JSON whitespace (space, tab, CR, LF), or nothing at all. */
    static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}
