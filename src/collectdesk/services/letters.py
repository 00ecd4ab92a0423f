"""Printable letters: a rendered letter's text laid out as a PDF (fpdf2)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

# The built-in PDF fonts are set in Windows-1252: Latin-1 plus €, dashes, curly quotes and the
# ellipsis. What it still lacks gets a stand-in rather than a question mark.
_CORE_ENCODING = "windows-1252"
_STAND_INS = {"→": "->", "≥": ">=", "≤": "<=", "−": "-"}


def _core_text(text: str) -> str:
    for char, stand_in in _STAND_INS.items():
        text = text.replace(char, stand_in)
    return text.encode(_CORE_ENCODING, "replace").decode(_CORE_ENCODING)


def write_letter(path: Path, text: str, *, sender: str, font: Path | None = None) -> Path:
    """Write the letter to ``path`` as an A4 PDF: the sender at the top, then the text; lines
    indented by four spaces (the invoice table) are set in a fixed-width font so columns line up."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = _CORE_ENCODING
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(auto=True, margin=20)
    body_font, table_font = "Helvetica", "Courier"
    convert = _core_text
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
