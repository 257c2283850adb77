"""Fill Dutch translations into the nl catalog: `python scripts/po_fill.py FILE.json`.

The JSON maps msgid to msgstr. Matching entries lose their fuzzy flag. A
developer tool, so that a batch of new strings is translated in one step.
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "src/kring/locale/nl/LC_MESSAGES/django.po"


def quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(path: str) -> None:
    table = json.loads(Path(path).read_text())
    blocks = PO.read_text().split("\n\n")
    done = set()
    for i, block in enumerate(blocks):
        m = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        if not m or re.search(r"^msgid_plural", block, re.M):
            continue
        msgid = "".join(json.loads(x) for x in re.findall(r'".*"', m.group(1)))
        if msgid in table:
            head = block[: m.start()]
            head = re.sub(r"^#\| .*\n", "", head, flags=re.M)
            head = head.replace("#, fuzzy, ", "#, ").replace("#, fuzzy\n", "")
            blocks[i] = f"{head}msgid {m.group(1).rstrip()}\nmsgstr {quote(table[msgid])}"
            done.add(msgid)
    PO.write_text("\n\n".join(blocks))
    missing = set(table) - done
    print(f"filled {len(done)}; not found: {sorted(missing)}")


if __name__ == "__main__":
    main(sys.argv[1])
