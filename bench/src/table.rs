//! The one table `lsm-bench` prints: each figure next to the baseline measured in the same
//! run, and their ratio.

use std::fmt::Write as _;

/// A figure's unit, for printing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Micros,
    Millis,
    MiB,
    PerSecond,
    /// A plain factor (growth ratios), printed with an `x`.
    Factor,
}

impl Unit {
    fn show(self, value: f64) -> String {
        if !value.is_finite() {
            return "n/a".to_string();
        }
        match self {
            Unit::Micros => format!("{value:.1} µs"),
            Unit::Millis => format!("{value:.2} ms"),
            Unit::MiB => format!("{value:.1} MiB"),
            Unit::PerSecond => format!("{value:.0} /s"),
            Unit::Factor => format!("{value:.2}x"),
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub section: &'static str,
    pub figure: String,
    pub value: f64,
    pub unit: Unit,
    /// What the figure is compared with, and its value (same unit); none for a figure
    /// that is its own comparison (a growth ratio, a peak RSS).
    pub baseline: Option<(String, f64)>,
    /// A target or remark.
    pub note: String,
}

impl Row {
    pub fn new(section: &'static str, figure: impl Into<String>, value: f64, unit: Unit) -> Row {
        Row {
            section,
            figure: figure.into(),
            value,
            unit,
            baseline: None,
            note: String::new(),
        }
    }

    pub fn against(mut self, baseline: impl Into<String>, value: f64) -> Row {
        self.baseline = Some((baseline.into(), value));
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Row {
        self.note = note.into();
        self
    }

    /// The figure over its baseline.
    pub fn ratio(&self) -> Option<f64> {
        self.baseline
            .as_ref()
            .map(|(_, baseline)| self.value / baseline)
    }
}

/// The table in Markdown (readable in a terminal, pasted as is into BENCHMARKS.md).
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(
        "| section | figure | value | baseline (same run) | baseline value | ratio | note |\n",
    );
    out.push_str("|---|---|---:|---|---:|---:|---|\n");
    for row in rows {
        let (baseline, baseline_value) = match &row.baseline {
            Some((what, value)) => (what.clone(), row.unit.show(*value)),
            None => ("-".to_string(), "-".to_string()),
        };
        let ratio = row
            .ratio()
            .filter(|ratio| ratio.is_finite())
            .map_or("-".to_string(), |ratio| format!("{ratio:.2}x"));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.section,
            row.figure,
            row.unit.show(row.value),
            baseline,
            baseline_value,
            ratio,
            row.note
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_prints_its_value_baseline_and_ratio() {
        let rows = [
            Row::new("rt", "systems", 30.0, Unit::Micros).against("ping-pong", 12.0),
            Row::new("listing", "growth", 9.5, Unit::Factor).note("ideal 10x"),
        ];
        let table = markdown(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(
            lines[2],
            "| rt | systems | 30.0 µs | ping-pong | 12.0 µs | 2.50x |  |"
        );
        assert_eq!(
            lines[3],
            "| listing | growth | 9.50x | - | - | - | ideal 10x |"
        );
    }

    #[test]
    fn a_figure_that_could_not_be_measured_is_shown_as_such() {
        let row = Row::new("listing", "peak", f64::NAN, Unit::MiB).against("x", 0.0);
        assert!(markdown(&[row]).contains("| n/a | x | 0.0 MiB | - |"));
    }
}
