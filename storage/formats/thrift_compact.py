"""A generic reader/writer of Thrift's compact protocol, enough to rewrite a Parquet footer.

Values are kept untyped (field id, wire type, value) so a footer decodes and re-encodes to the
same bytes without a generated Parquet model.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

STOP, TRUE, FALSE, BYTE, I16, I32, I64, DOUBLE, BINARY, LIST, SET, MAP, STRUCT = range(13)


@dataclass
class Struct:
    fields: list[list[Any]] = field(default_factory=list)  # [field id, wire type, value]

    def get(self, fid: int) -> Any:
        for f in self.fields:
            if f[0] == fid:
                return f[2]
        return None

    def set(self, fid: int, wire: int, value: Any) -> None:
        for f in self.fields:
            if f[0] == fid:
                f[1], f[2] = wire, value
                return
        self.fields.append([fid, wire, value])
        self.fields.sort(key=lambda f: f[0])


@dataclass
class List:
    element: int
    items: list[Any]
    wire: int = LIST


@dataclass
class Map:
    key: int
    value: int
    items: list[tuple[Any, Any]]


class Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        b = self.data[self.pos]
        self.pos += 1
        return b

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def value(self, wire: int) -> Any:
        if wire in (TRUE, FALSE):  # only inside collections: one byte
            return self.byte()
        if wire == BYTE:
            return self.byte()
        if wire in (I16, I32, I64):
            return self.zigzag()
        if wire == DOUBLE:
            (v,) = struct.unpack_from("<d", self.data, self.pos)
            self.pos += 8
            return v
        if wire == BINARY:
            size = self.varint()
            raw = self.data[self.pos : self.pos + size]
            self.pos += size
            return raw
        if wire in (LIST, SET):
            head = self.byte()
            size = head >> 4
            if size == 15:
                size = self.varint()
            element = head & 0x0F
            return List(element, [self.value(element) for _ in range(size)], wire)
        if wire == MAP:
            size = self.varint()
            if not size:
                return Map(0, 0, [])
            kinds = self.byte()
            k, v = kinds >> 4, kinds & 0x0F
            return Map(k, v, [(self.value(k), self.value(v)) for _ in range(size)])
        if wire == STRUCT:
            return self.struct()
        raise ValueError(f"unknown compact type {wire}")

    def struct(self) -> Struct:
        out = Struct()
        last = 0
        while True:
            head = self.byte()
            if head == STOP:
                return out
            wire = head & 0x0F
            delta = head >> 4
            fid = last + delta if delta else self.zigzag()
            last = fid
            value = wire == TRUE if wire in (TRUE, FALSE) else self.value(wire)
            out.fields.append([fid, wire, value])


class Writer:
    def __init__(self) -> None:
        self.out = bytearray()

    def varint(self, n: int) -> None:
        while True:
            if n < 0x80:
                self.out.append(n)
                return
            self.out.append((n & 0x7F) | 0x80)
            n >>= 7

    def zigzag(self, n: int) -> None:
        self.varint((n << 1) ^ (n >> 63))

    def value(self, wire: int, value: Any) -> None:
        if wire in (TRUE, FALSE, BYTE):
            self.out.append(value & 0xFF)
        elif wire in (I16, I32, I64):
            self.zigzag(value)
        elif wire == DOUBLE:
            self.out += struct.pack("<d", value)
        elif wire == BINARY:
            self.varint(len(value))
            self.out += value
        elif wire in (LIST, SET):
            size = len(value.items)
            if size < 15:
                self.out.append((size << 4) | value.element)
            else:
                self.out.append(0xF0 | value.element)
                self.varint(size)
            for item in value.items:
                self.value(value.element, item)
        elif wire == MAP:
            self.varint(len(value.items))
            if value.items:
                self.out.append((value.key << 4) | value.value)
                for k, v in value.items:
                    self.value(value.key, k)
                    self.value(value.value, v)
        elif wire == STRUCT:
            self.struct(value)
        else:
            raise ValueError(f"unknown compact type {wire}")

    def struct(self, value: Struct) -> None:
        last = 0
        for fid, wire, item in value.fields:
            kind = (TRUE if item else FALSE) if wire in (TRUE, FALSE) else wire
            if 0 < fid - last <= 15:
                self.out.append(((fid - last) << 4) | kind)
            else:
                self.out.append(kind)
                self.zigzag(fid)
            last = fid
            if wire not in (TRUE, FALSE):
                self.value(wire, item)
        self.out.append(STOP)


def decode_struct(data: bytes) -> Struct:
    return Reader(data).struct()


def encode_struct(value: Struct) -> bytes:
    writer = Writer()
    writer.struct(value)
    return bytes(writer.out)
