"""Printing a workbook as a spreadsheet application does: Debian's LibreOffice converts it to PDF (headless,
with a profile of its own), poppler reads the pages back. Installed by `make system-deps`.

Without them the print tests are skipped, saying why; with REQUIRE_LIBREOFFICE=1 (CI) they fail instead.
"""
import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
POPPLER = all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdftoppm"))
MISSING = ("LibreOffice (soffice) and poppler (pdftotext, pdfinfo, pdftoppm) are needed to print the workbooks: "
           "print tests not run (make system-deps installs them)")
# The footer of every printed page (core/xlsx_print.py FOOTER): the sheet's name and its page number.
FOOTER = re.compile(r"^(?P<sheet>.+) — trang (?P<page>\d+)$", re.MULTILINE)


def require_libreoffice():
    if SOFFICE and POPPLER:
        return
    if os.environ.get("REQUIRE_LIBREOFFICE"):
        pytest.fail(MISSING)
    warnings.warn(MISSING, UserWarning, stacklevel=2)  # said in the run's warnings summary, even with -q
    pytest.skip(MISSING)


def to_pdf(workbook: Path) -> Path:
    """The workbook printed to a PDF beside it, every sheet in turn, as LibreOffice Calc prints it (its own
    profile: no other LibreOffice running on the machine is disturbed, none disturbs it)."""
    profile = workbook.parent / "libreoffice-profile"
    # In Vietnamese, as an officer's computer prints it: 9,29 and 1.000.000.
    vietnamese = {**os.environ, "LC_ALL": "vi_VN.UTF-8", "LANG": "vi_VN.UTF-8"}
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(workbook.parent), str(workbook)], check=True, capture_output=True, timeout=300,
                   env=vietnamese)
    pdf = workbook.with_suffix(".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {workbook.name}"
    return pdf


@dataclass
class Page:
    sheet: str
    number: int
    text: str  # in the order it is drawn: a wrapped cell's lines one after the other
    size: tuple  # width, height in points

    @property
    def compact(self):
        """The text without any space: a heading wrapped anywhere reads as one string."""
        return re.sub(r"\s+", "", self.text)


def pages(pdf: Path):
    """Every printed page: the sheet it belongs to (from its footer), its number, its text and size."""
    texts = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")[:-1]
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", str(len(texts)), str(pdf)], check=True, capture_output=True,
                          text=True).stdout
    sizes = [tuple(float(n) for n in found) for found in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    result = []
    for text, size in zip(texts, sizes, strict=True):
        footer = FOOTER.search(text)
        assert footer, f"a printed page without its footer: {text[:200]!r}"
        result.append(Page(footer["sheet"], int(footer["page"]), text, size))
    return result


def by_sheet(printed):
    sheets = {}
    for page in printed:
        sheets.setdefault(page.sheet, []).append(page)
    return sheets


def page_png(pdf: Path, number: int, path: Path, resolution=90):
    """Page `number` of the PDF (1-based, the whole document's) as a PNG image at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(resolution), "-f", str(number), "-l", str(number),
                    str(pdf), str(path.with_suffix(""))], check=True, capture_output=True, timeout=120)
    return path
