//! [`Table`]: rows of text printed in left-aligned columns under a header line.

use std::fmt;

/// A text table. Column widths fit the widest cell (counted in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column headers.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Self {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row. Missing cells print empty; cells past the last header are dropped.
    pub fn push_row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) {
        let mut row: Vec<String> = cells.into_iter().map(Into::into).collect();
        row.resize(self.headers.len(), String::new());
        self.rows.push(row);
    }

    /// Number of rows (header excluded).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn column_widths(&self) -> Vec<usize> {
        self.headers
            .iter()
            .enumerate()
            .map(|(column, header)| {
                self.rows
                    .iter()
                    .map(|row| row[column].chars().count())
                    .chain(std::iter::once(header.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect()
    }
}

/// One line: cells padded to their column width, two spaces apart, no trailing spaces.
fn write_line(f: &mut fmt::Formatter<'_>, cells: &[String], widths: &[usize]) -> fmt::Result {
    let mut line = String::new();
    for (index, (cell, width)) in cells.iter().zip(widths).enumerate() {
        if index > 0 {
            line.push_str("  ");
        }
        line.push_str(cell);
        let padding = width.saturating_sub(cell.chars().count());
        line.extend(std::iter::repeat_n(' ', padding));
    }
    writeln!(f, "{}", line.trim_end())
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let widths = self.column_widths();
        write_line(f, &self.headers, &widths)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        write_line(f, &rule, &widths)?;
        for row in &self.rows {
            write_line(f, row, &widths)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell() {
        let mut table = Table::new(["ID", "Name"]);
        table.push_row(["POOL_ID_00001", "Pool 1"]);
        table.push_row(["P2", "lsm_test_aggr"]);
        assert_eq!(
            table.to_string(),
            "ID             Name\n\
             -------------  -------------\n\
             POOL_ID_00001  Pool 1\n\
             P2             lsm_test_aggr\n"
        );
        assert_eq!(table.len(), 2);
    }

    #[test]
    fn short_rows_are_padded_and_long_rows_cut() {
        let mut table = Table::new(["A", "B"]);
        table.push_row(["x"]);
        table.push_row(["1", "2", "3"]);
        assert_eq!(table.to_string(), "A  B\n-  -\nx\n1  2\n");
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        let mut table = Table::new(["Name", "X"]);
        table.push_row(["é", "1"]);
        assert_eq!(table.to_string(), "Name  X\n----  -\né     1\n");
    }
}
