#!/usr/bin/env python3
"""Writes an export part laid out as cozy-stack writes one (COZY.md "The data
route can lie"): My Cozy/Data/instance.json, then for each file its metadata
(`size` as a string, `md5sum` in base64) just before its content. Entries are
deflated like the stack's. Used by scripts/bench; not a test.

usage: make-bench-part.py OUT.zip TOTAL_MB [FILE_MB]
"""
import base64
import hashlib
import json
import os
import sys
import zipfile


def main():
    out, total_mb = sys.argv[1], int(sys.argv[2])
    file_mb = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    chunk = os.urandom(1 << 20)  # incompressible, so the zip is as large as the space
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("My Cozy/Data/instance.json", json.dumps({"domain": "bench.example"}))
        n = 0
        written = 0
        while written < total_mb:
            size_mb = min(file_mb, total_mb - written)
            md5 = hashlib.md5()
            for i in range(size_mb):
                md5.update(chunk[i:] + chunk[:i])
            doc = {"_id": "f%06d" % n, "type": "file", "name": "file%06d.bin" % n,
                   "size": str(size_mb << 20), "md5sum": base64.b64encode(md5.digest()).decode()}
            z.writestr("My Cozy/Data/io.cozy.files/f%06d.json" % n, json.dumps(doc))
            with z.open("My Cozy/Files/bench/file%06d.bin" % n, "w", force_zip64=True) as f:
                for i in range(size_mb):
                    f.write(chunk[i:] + chunk[:i])
            n += 1
            written += size_mb


if __name__ == "__main__":
    main()
