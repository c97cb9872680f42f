#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_iscsi_pdu and fuzz_iscsi_login (run from this
directory; the outputs are committed). Each seed is a small, valid conversation so the
fuzzer starts from inputs that reach deep into the state machines."""
import os
import struct

TARGET = b"iqn.2026-11.io.vtl:fuzz"


def pad(b):
    return b + b"\0" * (-len(b) % 4)


def pdu(op, flags, itt=0, w20=0, cmdsn=0, expstatsn=0, lun=b"\0" * 8, tail=b"\0" * 16, data=b"", ahs=0):
    h = bytes([op, flags, 0, 0, ahs]) + struct.pack(">I", len(data))[1:] + lun
    h += struct.pack(">IIII", itt, w20, cmdsn, expstatsn) + tail
    assert len(h) == 48
    return h + pad(data)


def cdb6(op, n):
    return bytes([op, 0]) + struct.pack(">I", n)[1:] + b"\0" * 11


def scsi(flags, itt, cmdsn, edtl, cdb, data=b"", lun=1):
    return pdu(0x01, flags, itt, edtl, cmdsn, 0, bytes([0, lun]) + b"\0" * 6, cdb, data)


def data_out(flags, itt, ttt, datasn, off, data, lun=1):
    tail = struct.pack(">IIII", 0, datasn, off, 0)
    return pdu(0x05, flags, itt, ttt, 0, 0, bytes([0, lun]) + b"\0" * 6, tail, data)


def text(*pairs):
    return b"".join(p + b"\0" for p in pairs)


def nop(itt, data=b"", imm=True, cmdsn=1):
    return pdu(0x40 if imm else 0x00, 0x80, itt, 0xFFFFFFFF, cmdsn, 0, data=data)


def write(path, blob):
    with open(path, "wb") as f:
        f.write(blob)


def pdu_corpus():
    d = "corpus_pdu"
    os.makedirs(d, exist_ok=True)
    write(f"{d}/nop", b"\x00" + nop(0x10, b"ping"))
    write(f"{d}/tur_read_write", b"\x00" + scsi(0x81, 0x20, 1, 0, cdb6(0x00, 0)) +
          scsi(0xC1, 0x21, 2, 512, cdb6(0x08, 512)) +
          scsi(0xA1, 0x22, 3, 512, cdb6(0x0A, 512), b"\xAA" * 512))
    write(f"{d}/r2t_write", b"\x02" + scsi(0xA1, 0x30, 1, 4096, cdb6(0x0A, 4096)) +
          data_out(0x80, 0x30, 1, 0, 0, b"\xBB" * 4096))
    write(f"{d}/unsolicited", b"\x00" + scsi(0x21, 0x31, 1, 8192, cdb6(0x0A, 8192), b"\x01" * 1024) +
          data_out(0x00, 0x31, 0xFFFFFFFF, 0, 1024, b"\x02" * 2048) +
          data_out(0x80, 0x31, 0xFFFFFFFF, 1, 3072, b"\x03" * 5120))
    write(f"{d}/burst_r2t", b"\x48" + scsi(0xA1, 0x32, 1, 10000, cdb6(0x0A, 10000), b"\x04" * 1024) +
          data_out(0x80, 0x32, 1, 0, 1024, b"\x05" * 3072) +
          data_out(0x80, 0x32, 2, 0, 4096, b"\x06" * 4096))
    write(f"{d}/discovery", b"\x10" + pdu(0x44, 0x80, 0x40, 0xFFFFFFFF, 1, 0,
                                          data=text(b"SendTargets=All")))
    write(f"{d}/text_continue", b"\x14" + pdu(0x44, 0x40, 0x41, 0xFFFFFFFF, 1, 0, data=b"SendTar") +
          pdu(0x44, 0x80, 0x41, 1, 1, 0, data=b"gets=All\0") +
          pdu(0x44, 0x80, 0x41, 2, 1, 0))
    tmf_tail = struct.pack(">IIII", 1, 0, 0, 0)
    write(f"{d}/tmf", b"\x02" + scsi(0xA1, 0x50, 1, 4096, cdb6(0x0A, 4096)) +
          pdu(0x42, 0x81, 0x51, 0x50, 2, 0, bytes([0, 1]) + b"\0" * 6, tmf_tail) +
          pdu(0x42, 0x85, 0x52, 0xFFFFFFFF, 2, 0, bytes([0, 1]) + b"\0" * 6))
    write(f"{d}/logout", b"\x00" + nop(0x60) + pdu(0x46, 0x80, 0x61, 0, 1, 0))
    write(f"{d}/small_read", b"\x04" + scsi(0xC1, 0x70, 1, 2000, cdb6(0x08, 3000)) +
          scsi(0x81, 0x71, 2, 0, cdb6(0x01, 0)))


def login_pdu(flags, itt, txt, isid=b"\x80\0\0\0\0\x02", tsih=0):
    h = bytes([0x43, flags, 0, 0, 0]) + struct.pack(">I", len(txt))[1:] + isid + struct.pack(">H", tsih)
    h += struct.pack(">IIII", itt, 0, 1, 0) + b"\0" * 16
    return h + pad(txt)


def login_corpus():
    d = "corpus_login"
    os.makedirs(d, exist_ok=True)
    op_keys = text(b"InitiatorName=iqn.2026-11.fuzz:i", b"TargetName=" + TARGET, b"SessionType=Normal",
                   b"HeaderDigest=None,CRC32C", b"DataDigest=None", b"InitialR2T=No",
                   b"ImmediateData=Yes", b"MaxBurstLength=262144", b"FirstBurstLength=262144",
                   b"DefaultTime2Wait=2", b"DefaultTime2Retain=0", b"MaxOutstandingR2T=1",
                   b"ErrorRecoveryLevel=0", b"IFMarker=No", b"OFMarker=No", b"MaxConnections=1",
                   b"MaxRecvDataSegmentLength=262144", b"DataPDUInOrder=Yes",
                   b"DataSequenceInOrder=Yes", b"X-vendor=1")
    write(f"{d}/neg_operational", b"\x00\x01" + op_keys)
    write(f"{d}/neg_security", b"\x00\x00" + text(b"InitiatorName=i", b"TargetName=t",
                                                  b"AuthMethod=CHAP,None", b"SessionType=Discovery"))
    write(f"{d}/stream_one_step", b"\x01" + login_pdu(0x87, 1, op_keys) + nop(2, b"x"))
    sec = text(b"InitiatorName=iqn.2026-11.fuzz:i", b"TargetName=" + TARGET, b"AuthMethod=None")
    write(f"{d}/stream_two_stage", b"\x01" + login_pdu(0x81, 1, sec) +
          login_pdu(0x87, 1, text(b"HeaderDigest=CRC32C", b"MaxRecvDataSegmentLength=8192")))
    write(f"{d}/stream_continued", b"\x01" + login_pdu(0x44, 1, op_keys[:100]) +
          login_pdu(0x87, 1, op_keys[100:]))
    write(f"{d}/stream_discovery", b"\x01" + login_pdu(0x87, 1, text(b"InitiatorName=i",
          b"SessionType=Discovery")) + pdu(0x44, 0x80, 3, 0xFFFFFFFF, 1, 0, data=text(b"SendTargets=All")))


if __name__ == "__main__":
    pdu_corpus()
    login_corpus()
