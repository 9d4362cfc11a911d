//! Where a command's results go: [`Output`] collects stdout (text in the active display mode,
//! or one JSON document with `--json`) and writes it when the command ends, or earlier when
//! a confirmation prompt must be seen first.

use std::io::Write as _;

use serde::Serialize;

use crate::cli::GlobalOptions;
use crate::display::objects::ToRecord;
use crate::display::{self, Layout, Record, ValueFormat};
use crate::error::CliError;
use crate::local_disks::DiskPaths;

/// The stdout of one run.
#[derive(Debug)]
pub struct Output {
    text: String,
    layout: Layout,
    human: bool,
    raw_enums: bool,
    json: bool,
    json_written: bool,
    disk_paths: DiskPaths,
}

impl Output {
    /// An empty output for the display flags of `options`.
    pub fn new(options: &GlobalOptions) -> Self {
        Output {
            text: String::new(),
            layout: Layout {
                script: options.script,
                separator: options.terse.clone(),
                header: options.header,
            },
            human: options.human,
            raw_enums: options.raw_enums,
            json: options.json,
            json_written: false,
            disk_paths: DiskPaths::new(),
        }
    }

    /// True with `--json`.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// The layout flags (`-s`, `-t`, `--header`).
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// How values are converted (`-H`, `-e`, disk paths).
    pub fn format(&self) -> ValueFormat<'_> {
        ValueFormat {
            human: self.human,
            raw_enums: self.raw_enums,
            disk_paths: &self.disk_paths,
        }
    }

    /// Shows a list of objects: as records in the display mode, or as a JSON array of the
    /// objects. An empty list prints nothing in text mode.
    pub fn show_all<T: ToRecord + Serialize>(&mut self, items: &[T]) -> Result<(), CliError> {
        if self.json {
            return self.json(&items);
        }
        let records: Vec<Record> = {
            let format = self.format();
            items.iter().map(|item| item.to_record(&format)).collect()
        };
        self.show_records(&records);
        Ok(())
    }

    /// Shows one object: a one-row list in the display mode, or the JSON object.
    pub fn show_one<T: ToRecord + Serialize>(&mut self, item: &T) -> Result<(), CliError> {
        if self.json {
            return self.json(item);
        }
        let record = item.to_record(&self.format());
        self.show_records(std::slice::from_ref(&record));
        Ok(())
    }

    /// Lays out ready-made records in the display mode.
    pub fn show_records(&mut self, records: &[Record]) {
        display::render(records, &self.layout, &mut self.text);
    }

    /// Appends raw text (already laid out).
    pub fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends one line of text.
    pub fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// Writes `value` as the JSON document of this run.
    pub fn json<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CliError> {
        let text = serde_json::to_string_pretty(value).map_err(|e| {
            CliError::Lsm(lsm_core::LsmError::lib_bug(format!(
                "cannot write the result as JSON: {e}"
            )))
        })?;
        self.text.push_str(&text);
        self.text.push('\n');
        self.json_written = true;
        Ok(())
    }

    /// A line in text mode, or `value` in JSON mode.
    pub fn line_or_json<T: Serialize + ?Sized>(
        &mut self,
        line: &str,
        value: &T,
    ) -> Result<(), CliError> {
        if self.json {
            self.json(value)
        } else {
            self.line(line);
            Ok(())
        }
    }

    /// Ends the run's stdout: with `--json` and nothing written yet, the document is `null`.
    pub fn finish(&mut self, success: bool) {
        if self.json && !self.json_written && success {
            self.text.push_str("null\n");
            self.json_written = true;
        }
    }

    /// Writes what was collected to stdout and empties the buffer.
    pub fn flush(&mut self) -> std::io::Result<()> {
        if self.text.is_empty() {
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(self.text.as_bytes())?;
        stdout.flush()?;
        self.text.clear();
        Ok(())
    }

    /// The text collected so far (tests).
    pub fn text(&self) -> &str {
        &self.text
    }
}
