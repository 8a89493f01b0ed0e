"""What is wrong with a schedule ``agreements serve`` is given, in one line, before anything is served.

Prefect's own check (``CronSchedule``) is the judge, so what passes here is what Prefect accepts; its
message is a pydantic error with a URL, and a bad time zone there can read as a bad cron expression. The
reasons come from the standard library (``zoneinfo``: the names Prefect accepts are its
``available_timezones()``) and from the cron parser Prefect uses (``croniter``, vendored in Prefect):
which field is wrong and what it allows, or that the expression can never fire (30 February).
"""

from __future__ import annotations

import difflib
import zoneinfo

# croniter's fields, in order: the five of cron, then the seconds and the year it also takes.
FIELDS = (
    ("minute", "0-59"),
    ("hour", "0-23"),
    ("day-of-month", "1-31"),
    ("month", "1-12 or jan-dec"),
    ("day-of-week", "0-6 or sun-sat"),
    ("second", "0-59"),
    ("year", "1970-2099"),
)
SYNTAX = "numbers, names, ranges a-b, lists a,b, steps */n"


def timezone_problem(timezone: str) -> str | None:
    """Why ``timezone`` is not a time zone Prefect knows, or None."""
    known = zoneinfo.available_timezones()
    if timezone in known:
        return None
    close = difflib.get_close_matches(timezone, sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"--timezone {timezone!r}: unknown time zone{hint} (an IANA name, e.g. Europe/Helsinki or UTC)"


def cron_problem(cron: str) -> str | None:
    """Why ``cron`` is not a cron expression Prefect accepts, or one that never fires; else None."""
    from prefect._vendor.croniter import croniter
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError:
        return f"--cron {cron!r}: {_why(cron)}"
    try:
        croniter(cron).get_next()
    except Exception:  # croniter's CroniterBadDateError: no date matches
        return f"--cron {cron!r}: never fires (no date matches every field)"
    return None


def _why(cron: str) -> str:
    from prefect._vendor.croniter import croniter

    fields = cron.split()
    if cron.startswith("@"):
        return "not a shorthand cron knows (@hourly, @daily, @weekly, @monthly, @yearly) nor 5 fields"
    if len(fields) not in (5, 6, 7):
        shape = " ".join(name for name, _ in FIELDS[:5])
        return f"a cron expression has 5 fields ({shape}), this one has {len(fields)}"
    for value in fields:
        if value.upper() in ("H", "R") or value.upper().startswith(("H(", "R(", "H/", "R/")):
            return f"random or hashed values ({value!r}) are not supported"
    for index, value in enumerate(fields):
        probe = ["*"] * len(fields)
        probe[index] = value
        if not croniter.is_valid(" ".join(probe)):
            name, allowed = FIELDS[index]
            return f"{name} field {value!r} is not valid: {allowed} ({SYNTAX})"
    try:
        croniter.expand(cron)
    except Exception as exc:  # croniter's CroniterBadCronError
        return str(exc)
    return "not a cron expression Prefect accepts"
