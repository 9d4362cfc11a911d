//! The two layouts of the reference lsmcli, byte for byte.
//!
//! Column layout: the fields each record shows in columns, one row per record (a record with
//! list values spans as many rows as its longest list, other cells blank on the extra rows);
//! every cell left-justified to its column's width (the longest cell, header included when
//! printed, at least 1), trailing spaces kept; under the header a dashed line as wide as a
//! row.
//!
//! Script layout: every field as `key SEP value`, the key padded to the longest key of all
//! records and the value to the longest value (only the first item of a list counts; an empty
//! list prints no line); further list items on lines with a blank key; a dashed line before
//! each record and after the last.

use std::fmt::Write as _;

use super::{Cell, Layout, Record};

/// Writes `records` to `out` in the layout chosen by `layout`. No records, no output.
pub fn render(records: &[Record], layout: &Layout, out: &mut String) {
    if records.is_empty() {
        return;
    }
    if layout.script {
        render_script(records, layout.separator(), out);
    } else {
        render_columns(records, layout.separator(), layout.column_header(), out);
    }
}

/// Width of a cell as the reference measures it (characters, not bytes).
fn width(text: &str) -> usize {
    text.chars().count()
}

/// Appends `text` left-justified to `width` characters.
fn push_padded(out: &mut String, text: &str, width: usize) {
    out.push_str(text);
    for _ in self::width(text)..width {
        out.push(' ');
    }
}

fn render_columns(records: &[Record], separator: &str, header: bool, out: &mut String) {
    let Some(first) = records.first() else {
        return;
    };
    let keys: Vec<&str> = first
        .fields
        .iter()
        .filter(|field| field.in_columns)
        .map(|field| field.key)
        .collect();
    let column_count = keys.len();

    // The grid of cells, borrowed from the records; the header row first when printed.
    let mut rows: Vec<Vec<&str>> = Vec::with_capacity(records.len() + 1);
    if header {
        rows.push(keys.clone());
    }
    for record in records {
        let cells: Vec<&Cell> = record
            .fields
            .iter()
            .filter(|field| field.in_columns)
            .map(|field| &field.value)
            .collect();
        let height = cells
            .iter()
            .map(|cell| match cell {
                Cell::List(items) => items.len(),
                Cell::Text(_) => 0,
            })
            .max()
            .unwrap_or(0)
            .max(1);
        for line in 0..height {
            let mut row = Vec::with_capacity(column_count);
            for cell in &cells {
                row.push(match cell {
                    Cell::Text(text) if line == 0 => text.as_str(),
                    Cell::Text(_) => "",
                    Cell::List(items) => items.get(line).map_or("", String::as_str),
                });
            }
            row.resize(column_count, "");
            rows.push(row);
        }
    }

    let mut widths = vec![1usize; column_count];
    for row in &rows {
        for (column, cell) in row.iter().enumerate() {
            if let Some(slot) = widths.get_mut(column) {
                *slot = (*slot).max(width(cell));
            }
        }
    }
    let separator_width = width(separator);

    for (index, row) in rows.iter().enumerate() {
        for (column, cell) in row.iter().enumerate() {
            if column > 0 {
                out.push_str(separator);
            }
            push_padded(out, cell, widths.get(column).copied().unwrap_or(1));
        }
        out.push('\n');
        if index == 0 && header {
            let dashes =
                widths.iter().sum::<usize>() + separator_width * column_count.saturating_sub(1);
            out.push_str(&"-".repeat(dashes));
            out.push('\n');
        }
    }
}

fn render_script(records: &[Record], separator: &str, out: &mut String) {
    let mut key_width = 1;
    let mut value_width = 1;
    for field in records.iter().flat_map(|record| &record.fields) {
        key_width = key_width.max(width(field.key));
        let value = match &field.value {
            Cell::Text(text) => Some(text.as_str()),
            Cell::List(items) => items.first().map(String::as_str),
        };
        if let Some(value) = value {
            value_width = value_width.max(width(value));
        }
    }
    let frame = "-".repeat(key_width + width(separator) + value_width);
    let blank_key = " ".repeat(key_width);

    for record in records {
        out.push_str(&frame);
        out.push('\n');
        for field in &record.fields {
            match &field.value {
                Cell::Text(text) => {
                    push_padded(out, field.key, key_width);
                    out.push_str(separator);
                    push_padded(out, text, value_width);
                    out.push('\n');
                }
                Cell::List(items) => {
                    for (index, item) in items.iter().enumerate() {
                        if index == 0 {
                            push_padded(out, field.key, key_width);
                        } else {
                            out.push_str(&blank_key);
                        }
                        out.push_str(separator);
                        push_padded(out, item, value_width);
                        out.push('\n');
                    }
                }
            }
        }
    }
    out.push_str(&frame);
    out.push('\n');
}

/// The `capabilities` layout: script layout with one record of `NAME → SUPPORTED`.
pub fn render_key_values(pairs: &[(&str, &str)], separator: &str, out: &mut String) {
    let key_width = pairs
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0)
        .max(1);
    let value_width = pairs
        .iter()
        .map(|(_, v)| width(v))
        .max()
        .unwrap_or(0)
        .max(1);
    let frame = "-".repeat(key_width + width(separator) + value_width);
    let _ = writeln!(out, "{frame}");
    for (key, value) in pairs {
        push_padded(out, key, key_width);
        out.push_str(separator);
        push_padded(out, value, value_width);
        out.push('\n');
    }
    let _ = writeln!(out, "{frame}");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record::new()
                .text("ID", "AG_ID_00001")
                .text("Name", "ag1")
                .list(
                    "Initiator IDs",
                    vec!["20:00:00:00:c9:aa:bb:cc".into(), "iqn.x:host1".into()],
                )
                .hidden("Type", "iSCSI/WWPN Mixed")
                .text("System ID", "sim-01"),
            Record::new()
                .text("ID", "AG_ID_00002")
                .text("Name", "")
                .list("Initiator IDs", vec![])
                .hidden("Type", "Unknown")
                .text("System ID", "sim-01"),
        ]
    }

    #[test]
    fn default_columns_pad_every_cell_and_continue_lists() {
        let mut out = String::new();
        render(&sample(), &Layout::default(), &mut out);
        assert_eq!(
            out,
            "ID          | Name | Initiator IDs           | System ID\n\
             --------------------------------------------------------\n\
             AG_ID_00001 | ag1  | 20:00:00:00:c9:aa:bb:cc | sim-01   \n\
             \x20           |      | iqn.x:host1             |          \n\
             AG_ID_00002 |      |                         | sim-01   \n"
        );
    }

    #[test]
    fn terse_has_no_header_and_empty_cells_are_one_space() {
        let layout = Layout {
            separator: Some(",".into()),
            ..Layout::default()
        };
        let mut out = String::new();
        render(&sample(), &layout, &mut out);
        assert_eq!(
            out,
            "AG_ID_00001,ag1,20:00:00:00:c9:aa:bb:cc,sim-01\n\
             \x20          ,   ,iqn.x:host1            ,      \n\
             AG_ID_00002,   ,                       ,sim-01\n"
        );
        let with_header = Layout {
            header: true,
            ..layout
        };
        let mut out = String::new();
        render(&sample(), &with_header, &mut out);
        assert!(out.starts_with("ID         ,Name,Initiator IDs          ,System ID\n"));
        assert_eq!(out.lines().nth(1).map(str::len), Some(11 + 4 + 23 + 9 + 3));
    }

    #[test]
    fn script_shows_hidden_fields_and_skips_empty_lists() {
        let layout = Layout {
            script: true,
            ..Layout::default()
        };
        let mut out = String::new();
        render(&sample(), &layout, &mut out);
        assert_eq!(
            out,
            "---------------------------------------\n\
             ID            | AG_ID_00001            \n\
             Name          | ag1                    \n\
             Initiator IDs | 20:00:00:00:c9:aa:bb:cc\n\
             \x20             | iqn.x:host1            \n\
             Type          | iSCSI/WWPN Mixed       \n\
             System ID     | sim-01                 \n\
             ---------------------------------------\n\
             ID            | AG_ID_00002            \n\
             Name          |                        \n\
             Type          | Unknown                \n\
             System ID     | sim-01                 \n\
             ---------------------------------------\n"
        );
    }

    #[test]
    fn nothing_to_show_prints_nothing() {
        let mut out = String::new();
        render(&[], &Layout::default(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn key_values_use_the_separator_given() {
        let mut out = String::new();
        render_key_values(
            &[("VOLUMES", "SUPPORTED"), ("FS", "UNSUPPORTED")],
            ",",
            &mut out,
        );
        assert_eq!(
            out,
            "-------------------\nVOLUMES,SUPPORTED  \nFS     ,UNSUPPORTED\n-------------------\n"
        );
    }
}
