"""Decodes one delivered object with an independent decoder (Python's standard library
and python3-snappy), for the delivery module's compression tests.

usage: decode_object.py FORMAT OBJECT OUTPUT [ZIP_ENTRY_NAME]
FORMAT is the Firehose CompressionFormat name. Writes the decoded bytes to OUTPUT;
exits 1 with a message on stderr if the object does not decode.
"""
import gzip
import io
import sys
import zipfile

import snappy
import snappy.hadoop_snappy
import snappy.snappy


def _crc32c_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC32C_TABLE = _crc32c_table()


def _crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# Debian 12's python3-snappy (0.5.3) has a broken _crc32c on Python 3.11 ("PY_SSIZE_T_CLEAN
# macro must be defined"); its framing parser, which checks every chunk's masked CRC, is
# fine. Give it a pure-Python CRC32C (Castagnoli, reflected 0x82F63B78).
assert _crc32c(b"123456789") == 0xE3069283
snappy.snappy._crc32c = _crc32c


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
        d = snappy.StreamDecompressor()
        out = d.decompress(data)
        d.flush()  # raises if the stream ends inside a chunk
        return out
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
