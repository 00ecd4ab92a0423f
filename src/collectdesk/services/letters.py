"""Printable letters: a rendered letter's text laid out as a PDF (fpdf2)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

# The built-in PDF fonts cover Latin-1 only; these stand in for what they lack.
_LATIN1_STAND_INS = {"€": "EUR ", "—": "-", "–": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "→": "->"}


def _latin1(text: str) -> str:
    for char, stand_in in _LATIN1_STAND_INS.items():
        text = text.replace(char, stand_in)
    return text.encode("latin-1", "replace").decode("latin-1")


def write_letter(path: Path, text: str, *, sender: str, font: Path | None = None) -> Path:
    """Write the letter to ``path`` as an A4 PDF: the sender at the top, then the text; lines
    indented by four spaces (the invoice table) are set in a fixed-width font so columns line up."""
    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    body_font, table_font = "Helvetica", "Courier"
    convert = _latin1
    if font is not None:
        pdf.add_font("Letter", fname=str(font))
        body_font = table_font = "Letter"

        def convert(text: str) -> str:
            return text

    pdf.add_page()
    pdf.set_font(body_font, style="B" if font is None else "", size=13)
    pdf.cell(0, 8, convert(sender), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for line in text.splitlines():
        if line.startswith("    "):
            pdf.set_font(table_font, size=8.5)
            pdf.cell(0, 4.5, convert(line[4:]), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font(body_font, size=10.5)
            pdf.multi_cell(0, 5.2, convert(line) or " ", new_x="LMARGIN", new_y="NEXT")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
