#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Write the fuzzing seed corpora from tests/vectors/records.json (no binary blobs in git).

    seeds.py VECTORS_JSON OUTDIR

OUTDIR/fuzz_open: every envelope of the vectors, good and must-reject;
OUTDIR/fuzz_json: every draft, compact and pretty, and each record's payload alone;
OUTDIR/fuzz_peer: PeerMsgs as a peer sends them: Hello, SyncReq, SyncBatch (membership
first, then the member's reply, with completeness claims), Push, RemoteQuery.
Regression inputs (tests/fuzz/regress/HARNESS/*.hex, hex text) are added as seeds too.
"""
import json
import os
import sys


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 0:
        return key + varint(payload)
    return key + varint(len(payload)) + payload


def author_state(author, complete):
    return field(1, 2, author) + field(2, 0, complete)


def main():
    vectors, out = sys.argv[1], sys.argv[2]
    v = json.load(open(vectors, encoding="utf-8"))
    here = os.path.dirname(os.path.abspath(__file__))
    seeds = {"fuzz_open": [], "fuzz_json": [], "fuzz_peer": []}
    envs = {r["name"]: bytes.fromhex(r["envelope"]) for r in v["records"]}
    for r in v["records"]:
        seeds["fuzz_open"].append(envs[r["name"]])
        seeds["fuzz_json"].append(json.dumps(r["draft"], ensure_ascii=False).encode())
        seeds["fuzz_json"].append(json.dumps(r["draft"], ensure_ascii=False, indent=1).encode())
    for r in v["reject"]:
        env = bytes.fromhex(r["envelope"])
        if len(env) <= 70000:
            seeds["fuzz_open"].append(env)
    center = bytes.fromhex(v["keys"][0]["public_key"])
    member = bytes.fromhex(v["keys"][1]["public_key"])
    by_center = [envs[n] for n in ("membership", "event", "place", "volunteer", "tombstone",
                                   "profile", "meeting")]
    hello = field(1, 2, field(1, 0, 1) + field(2, 2, member) + field(3, 2, "ひよこ".encode()))
    peer = seeds["fuzz_peer"]
    peer.append(hello)
    peer.append(field(2, 2, field(1, 0, 1)))                                  # SyncReq, empty
    peer.append(field(2, 2, field(1, 0, 2) + field(2, 2, author_state(center, 3)) +
                      field(2, 2, author_state(member, 0)) + field(3, 0, 100)))
    batch = field(1, 0, 5)
    for e in by_center:
        batch += field(2, 2, e)
    batch += field(2, 2, envs["reply"])
    batch += field(3, 2, author_state(center, 7)) + field(3, 2, author_state(member, 1))
    batch += field(4, 0, 0)
    peer.append(field(3, 2, batch))
    push = b"".join(field(1, 2, e) for e in by_center + [envs["reply"]])
    peer.append(field(4, 2, push))
    peer.append(field(4, 2, field(1, 2, envs["reply"])))
    query = field(1, 0, 2) + field(4, 2, b"cat=father") + field(5, 2, "パパ".encode())
    peer.append(field(5, 2, field(1, 0, 9) + field(2, 2, query)))
    peer.append(field(5, 2, field(1, 0, 10) + field(3, 2, field(1, 2, center) +
                                                   field(2, 2, b"ev/papa-2024-06"))))
    for h, items in seeds.items():
        d = os.path.join(out, h)
        os.makedirs(d, exist_ok=True)
        reg = os.path.join(here, "regress", h)
        if os.path.isdir(reg):
            for name in sorted(os.listdir(reg)):
                if name.endswith(".hex"):
                    items.append(bytes.fromhex(open(os.path.join(reg, name)).read()))
        for i, b in enumerate(items):
            with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
                f.write(b)
        print("%s: %d seeds" % (h, len(items)))


if __name__ == "__main__":
    main()
