"""XXH64 (seed 0) in pure Python: the standard library has none.

The no-launcher extraction (`_extract`) must verify every file by the same
hash as the launcher before it publishes an entry that the launcher will
then trust (docs/format.md, "Tamper policy"). Only imported on that cold path.
"""
import struct
import sys

M = (1 << 64) - 1
P1 = 0x9E3779B185EBCA87
P2 = 0xC2B2AE3D27D4EB4F
P3 = 0x165667B19E3779F9
P4 = 0x85EBCA77C2B2AE63
P5 = 0x27D4EB2F165667C5


def _lanes(block):
    """The little-endian 64-bit words of a block whose length is a multiple of 8."""
    if sys.byteorder == 'little':
        return memoryview(block).cast('B').cast('Q')
    return struct.unpack('<%dQ' % (len(block) // 8), block)


class Xxh64(object):
    """Streaming XXH64: update() with chunks of any size, then hexdigest()."""

    def __init__(self):
        self.v = [(P1 + P2) & M, P2, 0, (-P1) & M]
        self.total = 0
        self.pending = b''

    def update(self, data):
        self.total += len(data)
        if self.pending:
            data = self.pending + bytes(data)
        cut = len(data) - len(data) % 32
        if cut:
            self._stripes(data[:cut])
        self.pending = bytes(data[cut:])

    def _stripes(self, block):
        v1, v2, v3, v4 = self.v
        w = _lanes(block)
        for i in range(0, len(w), 4):
            # round(acc, lane) = rotl(acc + lane * P2, 31) * P1, inlined: this loop is the cost
            a = (v1 + w[i] * P2) & M
            v1 = (((a << 31) | (a >> 33)) & M) * P1 & M
            a = (v2 + w[i + 1] * P2) & M
            v2 = (((a << 31) | (a >> 33)) & M) * P1 & M
            a = (v3 + w[i + 2] * P2) & M
            v3 = (((a << 31) | (a >> 33)) & M) * P1 & M
            a = (v4 + w[i + 3] * P2) & M
            v4 = (((a << 31) | (a >> 33)) & M) * P1 & M
        self.v = [v1, v2, v3, v4]

    def intdigest(self):
        rest = self.pending
        if self.total >= 32:
            v1, v2, v3, v4 = self.v
            h = (_rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)) & M
            for v in (v1, v2, v3, v4):
                h = ((h ^ _round(0, v)) * P1 + P4) & M
        else:
            h = P5
        h = (h + self.total) & M
        i = 0
        while i + 8 <= len(rest):
            h = (_rotl(h ^ _round(0, struct.unpack_from('<Q', rest, i)[0]), 27) * P1 + P4) & M
            i += 8
        if i + 4 <= len(rest):
            h = (_rotl(h ^ (struct.unpack_from('<I', rest, i)[0] * P1 & M), 23) * P2 + P3) & M
            i += 4
        while i < len(rest):
            h = (_rotl(h ^ (rest[i] * P5 & M), 11) * P1) & M
            i += 1
        h ^= h >> 33
        h = h * P2 & M
        h ^= h >> 29
        h = h * P3 & M
        h ^= h >> 32
        return h

    def hexdigest(self):
        return '%016x' % self.intdigest()


def _rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M


def _round(acc, lane):
    return _rotl((acc + lane * P2) & M, 31) * P1 & M


def xxh64_hex(data):
    h = Xxh64()
    h.update(data)
    return h.hexdigest()
