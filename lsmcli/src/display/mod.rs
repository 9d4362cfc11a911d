//! How results are shown: every object becomes a [`Record`] (ordered `key → value` fields,
//! some hidden in column mode), and [`render`] lays records out the way the reference lsmcli
//! does.
//!
//! # Layout
//! - [`enums`]: enum and bitfield texts (`OK,Free`, `HW RAID`, ...).
//! - [`objects`]: the fields of each object type (headers, order, hidden columns, which values
//!   are sizes and which are enums) and the CLI-side result rows (RAID info, plugins, ...).
//! - [`render`]: the column layout (default, `-t SEP`, `--header`) and the script layout
//!   (`-s`).
//! - [`time`]: snapshot time stamps in local time.
//!
//! The display modes (`lsmcli-reference/README.md` §b): columns joined by ` | ` under a header
//! and a dashed line; `-t SEP` joins with SEP and drops the header unless `--header`; cells are
//! always padded to the column width; `-s` prints one `key SEP value` line per field, every
//! field included, records framed by dashed lines; `-H` humanises sizes; `-e` prints enums
//! as integers.

pub mod enums;
pub mod objects;
pub mod render;
pub mod time;

use std::borrow::Cow;

use crate::local_disks::DiskPaths;

pub use render::render;

/// One value of a record: a single text, or a list (initiators, hosts, member ids, disk
/// paths) that takes one line per item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    /// A single value, borrowed from the object shown where it can be.
    Text(Cow<'a, str>),
    /// Several values; an empty list is an empty cell in column mode and no line at all in
    /// script mode.
    List(Vec<String>),
}

/// One field of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The header / key text (`"Total Space"`).
    pub key: &'static str,
    /// The value, already converted for the active flags.
    pub value: Cell<'a>,
    /// False for the properties the column layout hides (shown only with `-s`).
    pub in_columns: bool,
}

/// One object as a list of fields, in display order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record<'a> {
    /// The fields in order.
    pub fields: Vec<Field<'a>>,
}

impl<'a> Record<'a> {
    /// An empty record.
    pub fn new() -> Self {
        // Every object shows at most a dozen fields: one allocation per record.
        Record {
            fields: Vec::with_capacity(12),
        }
    }

    /// Adds a field shown in every layout.
    pub fn text(mut self, key: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        self.fields.push(Field {
            key,
            value: Cell::Text(value.into()),
            in_columns: true,
        });
        self
    }

    /// Adds a field shown only in script mode (`-s`).
    pub fn hidden(mut self, key: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        self.fields.push(Field {
            key,
            value: Cell::Text(value.into()),
            in_columns: false,
        });
        self
    }

    /// Adds a multi-valued field shown in every layout.
    pub fn list(mut self, key: &'static str, values: Vec<String>) -> Self {
        self.fields.push(Field {
            key,
            value: Cell::List(values),
            in_columns: true,
        });
        self
    }

    /// Puts a field in front (the `URI` column of multi-array listings).
    pub fn prepend_text(&mut self, key: &'static str, value: impl Into<Cow<'a, str>>) {
        self.fields.insert(
            0,
            Field {
                key,
                value: Cell::Text(value.into()),
                in_columns: true,
            },
        );
    }
}

/// How values are converted: `-H` (sizes), `-e` (enums as integers), and where `Disk Paths`
/// come from.
#[derive(Debug, Clone, Copy)]
pub struct ValueFormat<'a> {
    /// `-H`: sizes as `1.00 GiB`.
    pub human: bool,
    /// `-e`: enums and bitfields as their integers.
    pub raw_enums: bool,
    /// The local `vpd83 → /dev` lookup for the `Disk Paths` column.
    pub disk_paths: &'a DiskPaths,
}

impl ValueFormat<'_> {
    /// A size in bytes: plain, or humanised with `-H`.
    pub fn size(&self, bytes: i64) -> String {
        if self.human {
            crate::size::human_size(bytes)
        } else {
            bytes.to_string()
        }
    }

    /// A bitfield: its names joined by `,`, or the integer with `-e`.
    pub fn bits(&self, value: i64, names: &'static [(i64, &'static str)]) -> String {
        if self.raw_enums {
            value.to_string()
        } else {
            enums::bitfield_text(value, names)
        }
    }

    /// A plain enum: its name, or the integer with `-e`.
    pub fn choice(&self, value: i64, names: &'static [(i64, &'static str)]) -> Cow<'static, str> {
        if self.raw_enums {
            Cow::Owned(value.to_string())
        } else {
            enums::enum_name(value, names)
        }
    }

    /// A value with its own text function, or the integer with `-e`.
    pub fn special(&self, value: i64, text: fn(i64) -> String) -> String {
        if self.raw_enums {
            value.to_string()
        } else {
            text(value)
        }
    }
}

/// How records are laid out: the display mode flags of the command line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// `-s`: key/value records showing every field.
    pub script: bool,
    /// `-t SEP`: the separator; `None` means ` | `.
    pub separator: Option<String>,
    /// `--header`: a header even with `-t`.
    pub header: bool,
}

impl Layout {
    /// The default separator of both layouts.
    pub const DEFAULT_SEPARATOR: &'static str = " | ";

    /// The separator in force.
    pub fn separator(&self) -> &str {
        self.separator.as_deref().unwrap_or(Self::DEFAULT_SEPARATOR)
    }

    /// Whether the column layout prints its header: always without `-t` (an empty `-t ''`
    /// counts as none, as in the reference), only with `--header` when `-t` is given.
    pub fn column_header(&self) -> bool {
        self.separator.as_deref().is_none_or(str::is_empty) || self.header
    }
}
