#!/usr/bin/env python3
"""Verify cdp-access's tamper-evident record from an `audit export` (JSON Lines), independently.

Written from the encoding in the README ("Verifying the record"), with the standard library only:

    java -jar cdp-access.jar audit export --output audit.jsonl
    python3 tools/cdp-access-audit-verify.py audit.jsonl [--checkpoints FILE --public-key PEM...]

Prints one BREAK line per broken chain, or "all N records in K chains verify"; exit 1 on a break.
A gap left by `audit purge` is stepped over only where an audit.purge change record's anchor names
exactly those places, following the hash before them and ending at the hash the next record links to.
A truncated tail needs checkpoints held elsewhere: with --checkpoints (any lines holding them: the
checkpoint file, a journal export), each checkpoint's Ed25519 signature is checked with openssl
against the given public keys, and the export must hold the record it commits to, with its hash.
"""
import argparse
import base64
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

CHECKPOINT_MARK = '{"type":"cdp-access-checkpoint"'

# The hashed columns of each table, in hashing order (README, "Verifying the record").
COLUMNS = {
    "decisions": ["decision_id", "decided_at_ms", "instance_name", "username", "normalized_user",
                  "project_id", "redcap_url", "caller_ip", "peer_ip", "effect", "reason", "detail",
                  "http_status", "latency_us", "grant_id", "policy_version", "explanation_z",
                  "corrects"],
    "changes": ["change_id", "changed_at_ms", "actor", "action", "subject", "before_value", "after_value"],
}
TIME_COLUMN = {"decisions": "decided_at_ms", "changes": "changed_at_ms"}
START_FIELDS = ["chain_id", "record_table", "started_at_ms", "writer", "previous_chain_id",
                "previous_seq", "previous_hash"]
ZERO = bytes(32)


def field(value, is_bytes=False):
    """F(value): null 0x00; whole number 0x01 + 8 bytes; text 0x02 + length + UTF-8; bytes 0x03 + length + bytes."""
    if value is None:
        return b"\x00"
    if is_bytes:
        return b"\x03" + struct.pack(">I", len(value)) + value
    if isinstance(value, bool):
        raise ValueError("no booleans in the record")
    if isinstance(value, int):
        return b"\x01" + struct.pack(">q", value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return b"\x02" + struct.pack(">I", len(data)) + data
    if isinstance(value, dict) and "base64" in value:
        data = base64.b64decode(value["base64"])
        return b"\x03" + struct.pack(">I", len(data)) + data
    raise ValueError("unexpected value %r" % (value,))


def digest(previous, table, values):
    h = hashlib.sha256(previous)
    h.update(field(table))
    for v in values:
        h.update(v)
    return h.digest()


def start_hash(start):
    values = [field(start[name]) for name in START_FIELDS[:6]]
    previous_hash = start["previous_hash"]
    values.append(field(None if previous_hash is None else bytes.fromhex(previous_hash), is_bytes=True))
    return digest(ZERO, "audit_chains", values)


def signed_text(c):
    return ("cdp-access checkpoint 1\ntable: %s\nchain: %s\nrecords: %d\nhead: %s\ntime: %s\nlast: %s\nkey: %s\n"
            % (c["table"], c["chain_id"], c["records"], c["head_hash"], c["time"], "yes" if c["last"] else "no",
               c["key_id"]))


def key_id(pem_path):
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", pem_path, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()[:16]


def signature_holds(c, keys):
    if c["key_id"] not in keys:
        return False
    with tempfile.TemporaryDirectory() as d:
        text, sig = os.path.join(d, "text"), os.path.join(d, "sig")
        with open(text, "wb") as f:
            f.write(signed_text(c).encode("utf-8"))
        with open(sig, "wb") as f:
            f.write(base64.b64decode(c["signature"]))
        result = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keys[c["key_id"]],
                                 "-rawin", "-in", text, "-sigfile", sig], capture_output=True)
        return result.returncode == 0


def check_checkpoints(path, key_files, starts, hashes):
    keys = {key_id(k): k for k in key_files}
    checkpoints, failed = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            at = line.find(CHECKPOINT_MARK)
            if at >= 0:
                checkpoints.append(json.JSONDecoder().raw_decode(line[at:])[0])
    for c in checkpoints:
        place = c["records"]
        if not signature_holds(c, keys):
            kind = "unsigned"
        else:
            at = (c["table"], c["chain_id"], c["records"])
            stored = (starts.get(c["chain_id"], {}).get("start_hash") if c["records"] == 0 else hashes.get(at))
            kind = None if stored == c["head_hash"] else ("truncated" if stored is None else "rewritten")
            if kind is None and c["last"] and any(seq > c["records"] for (t, chain, seq) in hashes
                                                  if t == c["table"] and chain == c["chain_id"]):
                kind = "appended"  # a record follows the writer's last checkpoint
            if kind == "appended":
                place += 1
        if kind:
            failed.append(kind)
            print("BREAK %s chain %s place %d: %s" % (c["table"], c["chain_id"], place, kind))
    print("all %d checkpoints hold" % len(checkpoints) if not failed
          else "%d of %d checkpoints do not hold" % (len(failed), len(checkpoints)))
    return not failed


def read_anchors(records, breaks):
    """The ranges the audit.purge change records say were removed: (table, chain) -> {from: range}."""
    anchors = {}
    for (table, chain), rows in records.items():
        if table != "changes":
            continue
        for r in rows:
            values = r["values"]
            if values["action"] != "audit.purge":
                continue
            try:
                after = json.loads(values["after_value"])
                if after.get("format") != 1 or not isinstance(after.get("anchors"), list):
                    raise ValueError("not a purge record of format 1")
                found = []
                for a in after["anchors"]:
                    if a.get("table") not in COLUMNS or not isinstance(a.get("chain_id"), str) \
                            or not a.get("ranges"):
                        raise ValueError("an anchor without table, chain_id or ranges")
                    for g in a["ranges"]:
                        first, last = g["from"], g["to"]
                        if type(first) is not int or type(last) is not int or first < 1 or last < first:
                            raise ValueError("a bad range")
                        for h in (g["previous_hash"], g["last_hash"]):
                            if not isinstance(h, str) or len(h) != 64 or h.strip("0123456789abcdef"):
                                raise ValueError("a bad hash")
                        found.append(((a["table"], a["chain_id"]), dict(g, by=values["change_id"])))
            except (ValueError, TypeError, KeyError, AttributeError):
                breaks.append(("changes", chain, r["chain_seq"], values["change_id"], "anchor",
                               "a purge record whose anchors cannot be read"))
                continue
            for key, g in found:
                anchors.setdefault(key, {})[g["from"]] = g
    return anchors


def bridge(ranges, used, seq, head, upto):
    """Steps over the purged ranges right after place seq, up to the record at place upto."""
    while seq + 1 in ranges:
        g = ranges[seq + 1]
        used.add(id(g))
        if g["previous_hash"] != head:
            return seq, head, "a purged range follows another hash"
        if upto <= g["to"]:
            return seq, head, "a purged range holds a record that is there"
        seq, head = g["to"], g["last_hash"]
    return seq, head, None


def main(path, checkpoints=None, public_keys=()):
    starts, records, unchained = {}, {}, {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row["table"] == "audit_chains":
                starts[row["chain_id"]] = row
            elif row["chain_id"] is None:
                unchained.setdefault(row["table"], []).append(row["values"])
            else:
                records.setdefault((row["table"], row["chain_id"]), []).append(row)
    breaks = []
    hashes = {}  # (table, chain, seq) -> hash, for links between runs
    for (table, chain), rows in records.items():
        for r in rows:
            hashes[(table, chain, r["chain_seq"])] = r["record_hash"]
    anchors = read_anchors(records, breaks)
    used = set()
    by_table = {}
    for s in starts.values():
        by_table.setdefault(s["record_table"], []).append(s)
    for table, chains in by_table.items():
        chains.sort(key=lambda s: (s["started_at_ms"], s["chain_id"]))
        unlinked_seen = False  # only the first chain of a table has no link to an earlier run
        for s in chains:
            unlinked, may_be_unlinked = s["previous_chain_id"] is None, not unlinked_seen
            unlinked_seen = unlinked_seen or unlinked
            if start_hash(s).hex() != s["start_hash"]:
                breaks.append((table, s["chain_id"], 0, s["chain_id"], "start", "its start row was changed"))
                continue
            if unlinked:
                if not may_be_unlinked:
                    breaks.append((table, s["chain_id"], 0, s["chain_id"], "start", "it links to no earlier run"))
                continue
            prev = s["previous_chain_id"], s["previous_seq"]
            stored = (starts[prev[0]]["start_hash"] if prev[1] == 0 and prev[0] in starts
                      else hashes.get((table, prev[0], prev[1])))
            if stored is None and any(g["to"] == prev[1] and g["last_hash"] == s["previous_hash"]
                                      for g in anchors.get((table, prev[0]), {}).values()):
                continue  # purged; an anchor names it as the last record it removed
            if stored != s["previous_hash"]:
                breaks.append((table, s["chain_id"], 0, s["chain_id"], "start",
                               "the record of the run before it that it links to is missing or changed"))
    count = 0
    broken = set()
    for (table, chain), rows in records.items():
        count += len(rows)
        start = starts.get(chain)
        if start is None:
            breaks.append((table, chain, rows[0]["chain_seq"], rows[0]["values"][COLUMNS[table][0]], "inserted",
                           "its chain has no start row"))
            broken.add((table, chain))
            continue
        ranges = anchors.get((table, chain), {})
        seq, head, before, previous_id = 0, start["start_hash"], None, None
        for r in rows:
            values = r["values"]
            encoded = [field(values[name]) for name in COLUMNS[table]]
            own = None if r["prev_hash"] is None or r["record_hash"] is None else (
                digest(bytes.fromhex(r["prev_hash"]), table, encoded).hex())
            record_id = values[COLUMNS[table][0]]
            kind, problem = None, None
            if r["chain_seq"] > seq + 1 and seq + 1 in ranges:
                seq, head, problem = bridge(ranges, used, seq, head, r["chain_seq"])
                before = None
            if own is None or own != r["record_hash"]:
                kind = "modified"
            elif problem:
                kind = "anchor"
            elif r["chain_seq"] == seq:
                kind = "inserted"
            elif r["prev_hash"] != head:
                kind = "inserted" if r["prev_hash"] == before else (
                    "reordered" if r["prev_hash"] in {x["record_hash"] for x in rows} else "removed")
            elif r["chain_seq"] != seq + 1:
                kind = "modified"
            if kind:
                place = r["chain_seq"]
                if kind == "inserted" and r["prev_hash"] == before:
                    place, record_id = seq, previous_id
                breaks.append((table, chain, place, record_id, kind, ""))
                broken.add((table, chain))
                break
            before, head, seq, previous_id = head, r["record_hash"], r["chain_seq"], record_id
        else:
            seq, head, problem = bridge(ranges, used, seq, head, float("inf"))  # a purged tail
            if problem:
                breaks.append((table, chain, seq + 1, previous_id, "anchor", problem))
                broken.add((table, chain))
    for s in starts.values():  # chains whose every record was purged
        key = (s["record_table"], s["chain_id"])
        if key not in records:
            seq, head, problem = bridge(anchors.get(key, {}), used, 0, s["start_hash"], float("inf"))
            if problem:
                breaks.append(key + (seq + 1, s["chain_id"], "anchor", problem))
                broken.add(key)
    for key, ranges in sorted(anchors.items()):
        unused = sorted((g for g in ranges.values() if id(g) not in used), key=lambda g: g["from"])
        if unused and key not in broken:
            breaks.append(key + (unused[0]["from"], unused[0]["by"], "anchor",
                                 "a purged range that is not where its anchor says"))
    for table, rows in unchained.items():
        # Written before chains existed, unless dated after the table's first chain began.
        first = min((s["started_at_ms"] for s in by_table.get(table, [])), default=None)
        late = sorted((v for v in rows if first is not None and v[TIME_COLUMN[table]] >= first),
                      key=lambda v: v[TIME_COLUMN[table]])
        if late:
            breaks.append((table, "-", 0, late[0][COLUMNS[table][0]], "inserted", "a record without a chain"))
    held = True
    if checkpoints:
        held = check_checkpoints(checkpoints, public_keys, starts, hashes)
    for b in breaks:
        print("BREAK %s chain %s place %d (%s): %s" % b[:5])
    chain_count = len(starts)
    if breaks:
        print("%d chain(s) broken; checked %d records in %d chains" % (len(breaks), count, chain_count))
        return 1
    print("all %d records in %d chains verify" % (count, chain_count))
    return 0 if held else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Verify an `audit export` of cdp-access.")
    parser.add_argument("export")
    parser.add_argument("--checkpoints", help="lines holding checkpoints (file, journal export)")
    parser.add_argument("--public-key", action="append", default=[], help="a checkpoint public key (PEM)")
    args = parser.parse_args()
    if args.checkpoints and not args.public_key:
        parser.error("--checkpoints needs --public-key (the keys `cdp-access audit key show` prints)")
    sys.exit(main(args.export, args.checkpoints, args.public_key))
