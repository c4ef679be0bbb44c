"""The payment run's two files, built from its payments: the credit-transfer file (ISO 20022
pain.001.001.03, by sepaxml, checked against its XSD by libxml2) and a CSV of every payment.

Nothing here touches the database or Django. A large run knows every payment it will make before it
makes the first (the decisions it pays, with their payees and accounts), so `BuiltApart` builds the
files in a process of their own while the run pays, on the machine's other core: for 100 000
households that took as long as the paying itself, one after the other. The run puts them in place
only if it then paid exactly those rows (payments.execute_run); otherwise, and whenever the other
process fails, it builds them again from the payments in the database. The files are a function of the
rows either way (`build`), so both roads give the same files.
"""

from __future__ import annotations

import csv
import io
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

CSV_HEADER = ["hushall", "manad", "beslut", "belopp_kr", "mottagare", "iban", "satt", "end_to_end_id"]


class FileRow(NamedTuple):
    """One payment as the files show it (the Payment model's columns of the same names)."""

    household: int
    month: date
    decision: int
    amount: int
    payee: str
    iban: str
    bic: str
    end_to_end_id: str


@dataclass(frozen=True)
class Payer:
    """The municipality's account the transfers are made from, and the day the bank is to pay."""

    name: str
    iban: str
    bic: str
    execution_date: date


@dataclass(frozen=True)
class Files:
    xml: bytes | None  # None when no payment goes to an account: nothing for the bank
    csv: bytes
    build_seconds: float  # what building them took, for the benchmark's account of the run
    validate_seconds: float


class NoPayerAccount(ValueError):
    """A payment goes to an account, and the municipality has not said which account pays it."""


def build(rows: Iterable[FileRow], payer: Payer | None) -> Files:
    """Both files, in the rows' order, the XML validated against the XSD. One pass over the rows, so
    the payments are read from the database once."""
    from sepaxml import SepaTransfer

    started = time.perf_counter()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(CSV_HEADER)
    transfer = None
    for row in rows:
        writer.writerow(
            [
                row.household,
                f"{row.month:%Y-%m}",
                row.decision,
                row.amount,
                row.payee,
                row.iban,
                "konto" if row.iban else "avi",
                row.end_to_end_id,
            ]
        )
        if not row.iban:
            continue  # a paper avi: not in the bank's file
        if transfer is None:
            if payer is None:
                raise NoPayerAccount(row.end_to_end_id)
            transfer = SepaTransfer(_sepa_config(payer), schema="pain.001.001.03", clean=True)
        payment: dict[str, Any] = {
            "name": row.payee,
            "IBAN": row.iban,
            "amount": row.amount * 100,  # öre
            "execution_date": payer.execution_date if payer else None,
            "description": f"Forsorjningsstod {row.month:%Y-%m}",
            "endtoend_id": row.end_to_end_id,
        }
        if row.bic:
            payment["BIC"] = row.bic
        transfer.add_payment(payment)
    xml = bytes(transfer.export(validate=False)) if transfer is not None else None
    built = time.perf_counter()
    if xml is not None:
        validate_pain001(xml)
    return Files(
        xml=xml,
        csv=out.getvalue().encode("utf-8"),
        build_seconds=built - started,
        validate_seconds=time.perf_counter() - built,
    )


def _sepa_config(payer: Payer) -> dict[str, Any]:
    config: dict[str, Any] = {
        "name": payer.name,
        "IBAN": payer.iban,
        "batch": True,
        "currency": "SEK",
        "domestic": True,
    }
    if payer.bic:
        config["BIC"] = payer.bic
    return config


def validate_pain001(xml: bytes) -> None:
    """The check sepaxml's `export(validate=True)` makes, against the same XSD, by libxml2 (lxml): for
    100 000 payments in under a second, where xmlschema took over half a minute. A file that is not
    even well-formed XML is refused the same way."""
    import sepaxml
    from lxml import etree
    from sepaxml.validation import ValidationError

    refused = (
        "The output SEPA file contains validation errors. This is likely due to an illegal value in one "
        "of your input fields."
    )
    xsd = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"
    # The file is our own, but it is parsed as if it were not: no entities, no network, no DTD.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    schema = etree.XMLSchema(etree.parse(str(xsd), parser))
    try:
        document = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"{refused} ({exc})") from exc
    if not schema.validate(document):
        error = schema.error_log.last_error
        raise ValidationError(f"{refused} (line {error.line}: {error.message})")


class BuiltApart:
    """`build` in a child process (this module run with `python -m`), started with every row at once.

    The rows and the answer travel through the child's standard input and output as pickles: the
    child is our own module, started here, and reads nothing else. When this process dies (kill -9
    in the middle of a run), the child finds nobody reading its answer and ends; nothing is written."""

    def __init__(self, rows: list[FileRow], payer: Payer | None) -> None:
        self.payer = payer
        self.ended = False
        self.failure = ""
        # How long the answer may take before the run builds the files itself: far more than building
        # them takes (100 000 rows: about 6 s), for a child that hangs, not one that is slow.
        self.timeout = 60 + len(rows) / 1000
        root = str(Path(__file__).resolve().parents[2])  # the folder that holds the egenmakt package
        path = os.environ.get("PYTHONPATH")
        env = {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}
        self._child = subprocess.Popen(  # noqa: S603 - this interpreter, this module
            # -P: nothing from the server's working directory comes before the standard library.
            [sys.executable, "-P", "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert self._child.stdin is not None
        try:
            # Left open: communicate() in result() closes it, which the child does not wait for.
            pickle.dump((rows, payer), self._child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._child.stdin.flush()
        except OSError:
            pass  # the child is gone already: result() says so

    def result(self) -> Files | None:
        """The files, or None if the child failed or took too long (why is then in `failure`)."""
        try:
            out, err = self._child.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.abandon()
            self.failure = f"no answer in {self.timeout:.0f} s"
            return None
        self.ended = True
        self.failure = err.decode("utf-8", "replace").strip()
        if self._child.returncode != 0:
            return None
        try:
            files = pickle.loads(out)  # noqa: S301 - our own child's answer, see the class
        except Exception as exc:  # anything but a pickled Files is a failure like any other
            self.failure = f"an answer that is not files: {exc!r}"
            return None
        if not isinstance(files, Files):
            self.failure = f"an answer that is not files: {type(files).__name__}"
            return None
        return files

    def abandon(self) -> None:
        """The files are not wanted (the run went wrong, or they would not be used): stop the child."""
        if self.ended:
            return
        self._child.kill()
        self._child.wait()
        for pipe in (self._child.stdin, self._child.stdout, self._child.stderr):
            if pipe is not None:
                pipe.close()
        self.ended = True


def _child() -> None:
    rows, payer = pickle.load(sys.stdin.buffer)  # noqa: S301 - from the parent, see BuiltApart
    # The run's own process and the database's come first: paying is a conversation between the two,
    # and each waits whenever this one holds the core it wants. The files use what they leave idle.
    # Only once the rows are read, though: until then the run waits for this process to take them.
    os.nice(19)
    files = build(rows, payer)
    pickle.dump(files, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    # Run as the module it is imported as, so that what it pickles (Files) is found by that name.
    from egenmakt.benefits import payment_files

    payment_files._child()
