#!/usr/bin/env python3
"""Converts docs/openapi.yaml to JSON (served at /api/openapi.json).

Run by the build (CMakeLists.txt); needs PyYAML (Debian: python3-yaml).
Usage: openapi-json.py IN.yaml OUT.json
"""
import json
import os
import sys

import yaml


def main() -> int:
    src, out = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or "paths" not in doc:
        print(f"{src}: not an OpenAPI document", file=sys.stderr)
        return 1
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"), default=str)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
