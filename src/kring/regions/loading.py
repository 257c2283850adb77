"""Loading the shipped region and municipality data (idempotent)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_regions(region_model, municipality_model) -> tuple[int, int]:
    """Create or update the 14 regions and every municipality.

    Takes the model classes so that a data migration can pass its historical models.
    Edits made in the admin to mailboxes are overwritten only for shipped fields.
    """
    regions = {}
    for row in read_csv("regions.csv"):
        region, _ = region_model.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "mailbox": row["mailbox"]}
        )
        regions[region.code] = region
    count = 0
    for row in read_csv("municipalities.csv"):
        municipality_model.objects.update_or_create(
            cbs_code=row["cbs_code"],
            defaults={
                "name": row["name"],
                "province": row["province"],
                "region": regions[row["region_code"]],
                "note": row.get("note", ""),
            },
        )
        count += 1
    return len(regions), count
