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
pub fn render(records: &[Record<'_>], layout: &Layout, out: &mut String) {
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
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// Appends `text` left-justified to `width` characters.
fn push_padded(out: &mut String, text: &str, width: usize) {
    out.push_str(text);
    let pad = width.saturating_sub(self::width(text));
    out.extend(std::iter::repeat_n(' ', pad));
}

/// The cell of `cell` on line `line` of its record (`""` past its end).
fn cell_line<'c>(cell: &'c Cell<'_>, line: usize) -> &'c str {
    match cell {
        Cell::Text(text) if line == 0 => text,
        Cell::Text(_) => "",
        Cell::List(items) => items.get(line).map_or("", String::as_str),
    }
}

/// Lines a record takes in the column layout: its longest list, at least one.
fn record_height(record: &Record<'_>) -> usize {
    record
        .fields
        .iter()
        .filter(|field| field.in_columns)
        .map(|field| match &field.value {
            Cell::List(items) => items.len(),
            Cell::Text(_) => 0,
        })
        .max()
        .unwrap_or(0)
        .max(1)
}

fn render_columns(records: &[Record<'_>], separator: &str, header: bool, out: &mut String) {
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

    // Two passes over the records, no grid: the widths first (header included when
    // printed), then the rows.
    let mut widths = vec![1usize; column_count];
    if header {
        for (slot, key) in widths.iter_mut().zip(&keys) {
            *slot = (*slot).max(width(key));
        }
    }
    let mut line_count = usize::from(header);
    for record in records {
        let height = record_height(record);
        line_count += height;
        let cells = record.fields.iter().filter(|field| field.in_columns);
        for (slot, field) in widths.iter_mut().zip(cells) {
            for line in 0..height {
                *slot = (*slot).max(width(cell_line(&field.value, line)));
            }
        }
    }
    let separator_width = width(separator);
    let row_width = widths.iter().sum::<usize>() + separator_width * column_count.saturating_sub(1);
    out.reserve((line_count + 1) * (row_width + 1));

    let write_row = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        for (column, width) in widths.iter().enumerate() {
            if column > 0 {
                out.push_str(separator);
            }
            push_padded(out, cells.next().unwrap_or(""), *width);
        }
        out.push('\n');
    };
    if header {
        write_row(out, &mut keys.iter().copied());
        out.extend(std::iter::repeat_n('-', row_width));
        out.push('\n');
    }
    for record in records {
        for line in 0..record_height(record) {
            let mut cells = record
                .fields
                .iter()
                .filter(|field| field.in_columns)
                .map(|field| cell_line(&field.value, line));
            write_row(out, &mut cells);
        }
    }
}

fn render_script(records: &[Record<'_>], separator: &str, out: &mut String) {
    let mut key_width = 1;
    let mut value_width = 1;
    for field in records.iter().flat_map(|record| &record.fields) {
        key_width = key_width.max(width(field.key));
        let value = match &field.value {
            Cell::Text(text) => Some(text.as_ref()),
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

    fn sample() -> Vec<Record<'static>> {
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
