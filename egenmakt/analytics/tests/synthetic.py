"""A small synthetic data set in the shape of `extract.queries()`, for running the outcome pipeline
without a database (the Spark comparison).

Seeded, so the same seed gives the same tables. Months are numbers, year * 12 + month - 1, as `extract`
makes them. The data covers what the pipeline distinguishes: periods of försörjningsstöd and insats
ending in work (also subsidised, also municipal), studies, other benefits, unknown, no record, moving
away, or still going at the data's end; returns to försörjningsstöd; several units (and months with no
unit or a unit missing from the unit table); activities started during a period (two on the same month,
too); cases with and without a reason; households of one or two adults with and without children; and
people with every target group's fields, nulls in dates and text included. Like the real StatusMonth,
there is at most one row per person and month, and exits registered in error (felregistrering) leave no
months behind.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def month(year: int, m: int) -> int:
    return year * 12 + m - 1


FIRST = month(2019, 1)
DATA_END = month(2024, 12)

UNITS = {1: "Norr", 2: "Söder", 3: "Centrum", 4: "Väster"}
MISSING_UNIT = 9  # named in months, absent from the unit table
ACTIVITIES = {
    11: ("Praktik", "praktik"),
    12: ("Jobbcoachning", "coachning"),
    13: ("Svenska för yrkeslivet", "sfi_yrke"),
    14: ("IPS", "ips"),
    15: ("Arbetsträning", "arbetstraning"),
}
# What follows a period (the month after its last): None is no record at all.
AFTER = (
    "arbete",
    "subventionerat_arbete",
    "arbete_kommunal",
    "studier",
    "annan_ersattning",
    "okand",
    None,
    "flyttat",
)
AFTER_WEIGHTS = (0.26, 0.06, 0.06, 0.12, 0.14, 0.08, 0.16, 0.12)
HINDER = ("arbetslos_utan", "arbetslos_vantar", "sjukskriven", "ohalsa", "etablering", "ovrigt", "", None)
OCCUPATIONS = ("arbetssokande", "insats", "sjukskriven", "arbete", "studier", "annat", "", None)
COUNTRIES = ("SE", "SE", "SE", "SY", "SO", "AF", "ER", "", None)


def tables(seed: int = 7, participants: int = 320) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    months: dict[str, list] = {
        k: [] for k in ("participant_id", "month", "status", "municipal_employment", "unit_id")
    }
    persons: dict[str, list] = {
        k: []
        for k in (
            "participant_id",
            "legal_sex",
            "birth_date",
            "education_level",
            "arrival_date",
            "country_of_birth",
            "occupation",
            "has_disability",
            "has_bankid",
            "email",
            "letters_only",
        )
    }
    cases: dict[str, list] = {
        k: [] for k in ("participant_id", "opened_on", "forsorjningshinder", "unit_id", "case_type")
    }
    enrolments: dict[str, list] = {k: [] for k in ("participant_id", "activity_id", "start", "actual_end")}

    def maybe(value: object, p_null: float) -> object:
        return None if rng.random() < p_null else value

    def add_month(pid: int, m: int, status: str, unit: int | None, municipal: bool | None = False) -> None:
        months["participant_id"].append(pid)
        months["month"].append(m)
        months["status"].append(status)
        months["municipal_employment"].append(municipal)
        months["unit_id"].append(unit)

    for pid in range(1, participants + 1):
        # The person.
        age_at_start = int(rng.integers(16, 67))
        t = int(rng.integers(FIRST, DATA_END - 2))
        born = t - age_at_start * 12 - int(rng.integers(0, 12))
        country = COUNTRIES[rng.integers(len(COUNTRIES))]
        arrival = None
        if country not in ("SE", None) or rng.random() < 0.05:
            arrival = t - int(rng.integers(-6, 120))  # now and then after the first period began
        persons["participant_id"].append(pid)
        persons["legal_sex"].append(str(rng.choice(["K", "M", "K", "M", ""])))
        persons["birth_date"].append(maybe(born, 0.04))
        persons["education_level"].append(
            maybe(str(rng.choice(["1", "2", "3", "4", "5", "6", "7", ""])), 0.05)
        )
        persons["arrival_date"].append(arrival)
        persons["country_of_birth"].append(country)
        persons["occupation"].append(OCCUPATIONS[rng.integers(len(OCCUPATIONS))])
        persons["has_disability"].append(maybe(bool(rng.random() < 0.15), 0.05))
        persons["has_bankid"].append(maybe(bool(rng.random() < 0.7), 0.05))
        persons["email"].append(maybe(str(rng.choice(["", f"p{pid}@example.se"])), 0.1))
        persons["letters_only"].append(maybe(bool(rng.random() < 0.08), 0.05))

        # Months: periods of försörjningsstöd and insats, what followed each, and perhaps a return.
        unit: int | None = int(rng.integers(1, 5))
        for _spell in range(int(rng.integers(1, 4))):
            if t > DATA_END:
                break
            if rng.random() < 0.05:
                unit = None if rng.random() < 0.5 else MISSING_UNIT
            elif rng.random() < 0.2:
                unit = int(rng.integers(1, 5))
            length = 1 + int(rng.geometric(1 / 10))
            start = t
            in_insats = False
            for m in range(start, min(start + length, DATA_END + 1)):
                if rng.random() < 0.25:
                    in_insats = not in_insats
                add_month(pid, m, "insats" if in_insats else "forsorjningsstod", unit)
            end = min(start + length, DATA_END + 1) - 1
            # Activities begun during the period (some before it, which do not count for it).
            for _ in range(int(rng.poisson(0.8))):
                begun = int(rng.integers(start - 3, end + 1))
                activity = int(rng.integers(11, 16))
                ended = maybe(begun + int(rng.integers(0, 10)), 0.4)
                enrolments["participant_id"].append(pid)
                enrolments["activity_id"].append(activity)
                enrolments["start"].append(begun)
                enrolments["actual_end"].append(ended)
                if rng.random() < 0.1:  # a second one begun the same month
                    enrolments["participant_id"].append(pid)
                    enrolments["activity_id"].append(11 + (activity - 10) % 5)
                    enrolments["start"].append(begun)
                    enrolments["actual_end"].append(None)
            # A case opened in each period; one opened the same month with no reason, now and then.
            opened = start - int(rng.integers(0, 3))
            cases["participant_id"].append(pid)
            cases["opened_on"].append(opened)
            cases["forsorjningshinder"].append(HINDER[rng.integers(len(HINDER))])
            cases["unit_id"].append(unit)
            cases["case_type"].append(
                str(rng.choice(["ekonomiskt_bistand", "arbetsmarknadsinsats", "etablering"]))
            )
            if rng.random() < 0.1:
                cases["participant_id"].append(pid)
                cases["opened_on"].append(opened)
                cases["forsorjningshinder"].append("")
                cases["unit_id"].append(unit)
                cases["case_type"].append("finsam")
            if end >= DATA_END:
                break
            # What followed.
            after = AFTER[rng.choice(len(AFTER), p=AFTER_WEIGHTS)]
            gap = 1 + int(rng.geometric(1 / 9))
            t = end + 1 + gap
            if after == "flyttat":
                add_month(pid, end + 1, "flyttat", None)
                break
            if after is not None:
                status = "arbete" if after == "arbete_kommunal" else after
                municipal: bool | None = after == "arbete_kommunal"
                if municipal is False and rng.random() < 0.05:
                    municipal = None
                for m in range(end + 1, min(end + 1 + gap, DATA_END + 1)):
                    add_month(pid, m, status, unit, municipal)
            if rng.random() < 0.35:
                break  # no return

    # Households: most alone, some couples (sökande and medsökande), some with children (who are people
    # too, with no months of their own).
    households: dict[str, list] = {k: [] for k in ("household_id", "participant_id", "relation")}
    child = participants + 1
    pid = 1
    hid = 100
    while pid <= participants:
        couple = rng.random() < 0.2 and pid < participants
        households["household_id"].append(hid)
        households["participant_id"].append(pid)
        households["relation"].append("sokande")
        if couple:
            households["household_id"].append(hid)
            households["participant_id"].append(pid + 1)
            households["relation"].append("medsokande")
        for _ in range(int(rng.choice([0, 0, 1, 2, 3]))):
            households["household_id"].append(hid)
            households["participant_id"].append(child)
            households["relation"].append("barn")
            child += 1
        pid += 2 if couple else 1
        hid += 1

    return {
        "months": pa.table(
            months,
            schema=pa.schema(
                [
                    ("participant_id", pa.int64()),
                    ("month", pa.int32()),
                    ("status", pa.string()),
                    ("municipal_employment", pa.bool_()),
                    ("unit_id", pa.int64()),
                ]
            ),
        ),
        "persons": pa.table(
            persons,
            schema=pa.schema(
                [
                    ("participant_id", pa.int64()),
                    ("legal_sex", pa.string()),
                    ("birth_date", pa.int32()),
                    ("education_level", pa.string()),
                    ("arrival_date", pa.int32()),
                    ("country_of_birth", pa.string()),
                    ("occupation", pa.string()),
                    ("has_disability", pa.bool_()),
                    ("has_bankid", pa.bool_()),
                    ("email", pa.string()),
                    ("letters_only", pa.bool_()),
                ]
            ),
        ),
        "cases": pa.table(
            cases,
            schema=pa.schema(
                [
                    ("participant_id", pa.int64()),
                    ("opened_on", pa.int32()),
                    ("forsorjningshinder", pa.string()),
                    ("unit_id", pa.int64()),
                    ("case_type", pa.string()),
                ]
            ),
        ),
        "enrolments": pa.table(
            enrolments,
            schema=pa.schema(
                [
                    ("participant_id", pa.int64()),
                    ("activity_id", pa.int64()),
                    ("start", pa.int32()),
                    ("actual_end", pa.int32()),
                ]
            ),
        ),
        "households": pa.table(
            households,
            schema=pa.schema(
                [("household_id", pa.int64()), ("participant_id", pa.int64()), ("relation", pa.string())]
            ),
        ),
        "units": pa.table(
            {"unit_id": list(UNITS), "name": list(UNITS.values())},
            schema=pa.schema([("unit_id", pa.int64()), ("name", pa.string())]),
        ),
        "activities": pa.table(
            {
                "activity_id": list(ACTIVITIES),
                "name": [name for name, _ in ACTIVITIES.values()],
                "method": [method for _, method in ACTIVITIES.values()],
            },
            schema=pa.schema([("activity_id", pa.int64()), ("name", pa.string()), ("method", pa.string())]),
        ),
    }
