"""Decodes one delivered object with an independent decoder (Python's standard library,
python3-snappy's Hadoop stream decoder, and a snappy-java stream reader over
python3-snappy's raw blocks), for the delivery module's compression tests.

usage: decode_object.py FORMAT OBJECT OUTPUT [ZIP_ENTRY_NAME]
FORMAT is the Firehose CompressionFormat name. Writes the decoded bytes to OUTPUT;
exits 1 with a message on stderr if the object does not decode.
"""
import gzip
import io
import struct
import sys
import zipfile

import snappy
import snappy.hadoop_snappy

SNAPPY_JAVA_HEADER = b"\x82SNAPPY\x00"


def snappy_java_decompress(data):
    """snappy-java's stream format (SnappyOutputStream): 8-byte magic, big-endian version and
    compatible version (1, 1), then (big-endian compressed length, raw snappy block)*.
    Written from snappy-java's SnappyCodec/SnappyInputStream; blocks decoded by libsnappy
    through python3-snappy."""
    if data[:8] != SNAPPY_JAVA_HEADER:
        raise ValueError("no snappy-java magic header")
    version, compatible = struct.unpack(">ii", data[8:16])
    if (version, compatible) != (1, 1):
        raise ValueError("snappy-java header version %d/%d" % (version, compatible))
    out, pos = [], 16
    while pos < len(data):
        if pos + 4 > len(data):
            raise ValueError("truncated block length at %d" % pos)
        (n,) = struct.unpack(">i", data[pos:pos + 4])
        pos += 4
        if n <= 0 or pos + n > len(data):
            raise ValueError("bad block length %d at %d" % (n, pos - 4))
        out.append(snappy.uncompress(data[pos:pos + n]))
        pos += n
    return b"".join(out)


def decode(fmt, data, entry_name):
    if fmt == "UNCOMPRESSED":
        return data
    if fmt == "GZIP":
        return gzip.decompress(data)
    if fmt == "ZIP":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            bad = z.testzip()
            if bad is not None:
                raise ValueError("bad CRC in entry " + bad)
            names = z.namelist()
            if names != [entry_name]:
                raise ValueError("entries %r, expected [%r]" % (names, entry_name))
            return z.read(entry_name)
    if fmt == "Snappy":
        return snappy_java_decompress(data)
    if fmt == "HADOOP_SNAPPY":
        d = snappy.hadoop_snappy.StreamDecompressor()
        out = d.decompress(data)
        d.flush()
        return out
    raise ValueError("unknown format " + fmt)


def main():
    fmt, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    entry = sys.argv[4] if len(sys.argv) > 4 else ""
    with open(src, "rb") as f:
        data = f.read()
    try:
        out = decode(fmt, data, entry)
    except Exception as e:  # any decoder error fails the test with its message
        sys.stderr.write("%s: %s: %s\n" % (fmt, type(e).__name__, e))
        return 1
    with open(dst, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
