"""Reading back a report's sheet: the header labels of every column (merged groups resolved), the column
numbers row, and the data rows by their first cell."""
import io

from openpyxl import load_workbook


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(response.content))


class Sheet:
    def __init__(self, sheet, first_header):
        self.sheet = sheet
        values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        self.values = values
        self.top = next(i for i, row in enumerate(values) if row and row[0] == first_header) + 1  # 1-based
        self.numbers = next(i for i in range(self.top - 1, len(values)) if values[i][0] == "(1)") + 1
        self.depth = self.numbers - self.top
        self.headers = [self._labels(column) for column in range(1, sheet.max_column + 1)]
        self.rows = {row[0]: row for row in values[self.numbers:] if row and row[0] is not None}
        self.row_numbers = {row[0]: index + 1 for index, row in enumerate(values)
                            if index >= self.numbers and row and row[0] is not None}

    def _value(self, row, column):
        for merged in self.sheet.merged_cells.ranges:
            if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
                return self.sheet.cell(merged.min_row, merged.min_col).value
        return self.sheet.cell(row, column).value

    def _labels(self, column):
        labels = []
        for row in range(self.top, self.numbers):
            value = self._value(row, column)
            if value is not None and (not labels or labels[-1] != value):
                labels.append(value)
        return tuple(labels)

    def index(self, *headers):
        """0-based index of the column with these headers."""
        return self.headers.index(tuple(headers))

    def cell(self, first, *headers):
        """The cell of the row whose first cell is `first`, in the column with these headers."""
        return self.sheet.cell(self.row_numbers[first], self.index(*headers) + 1)
